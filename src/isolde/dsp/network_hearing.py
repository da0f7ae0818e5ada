"""Does the speech estimator hear the target? The guard for a voice it takes for noise.

DeepFilterNet and RNNoise learned what speech sounds like; a voice unlike what they learned can
be taken for noise, and then the fused mask removes the target with the background (measured on
one high synthetic voice over babble: 1 dB *worse* than the input, where the span-guided
spectral gain is 7 dB better). The spans show what the background is, so they can tell.

Before the separation pass the estimator runs on a few stretches where the target is and a few
of the exclude spans. What it passes of the target's stretches — less what it passes of the
background alone — over what those stretches hold above the background is the share of the
target it hears (`hearing`). On the benchmark's twelve voices that share is 0.34 or more on
every background and SNR; the voice it takes for noise scores 0.00–0.14 over babble at 0–5 dB.
Below `deaf_hearing` (`deaf_weight`) the separation lets what stands well above the span profile
keep at least its spectral-subtraction gain (steady_background.keep_standing_out).

The same share is measured in the band that carries a voice's consonants and upper formants
(`MID_BAND_HZ`, 1–4 kHz; `Heard.mid`). A network can hear a voice's strong low harmonics and
still drop that band: the high voice over drums keeps 0.62 of its power overall but 0.11 there,
and comes out 0.5 dB *worse* than the input at 10 dB SNR, where noisereduce gains 4.3. Then
what stands well above the *tracked* background in that band keeps its subtraction gain. The
other eleven voices score 0.16 or more there (0.25 or more but over babble); forced on all of
them, the keep costs at most 0.7 dB (drums at 0 dB) and mostly under 0.2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from isolde.dsp.denoise_worker import denoise_whole
from isolde.dsp.method_choice import Ranges, complement, sample_windows
from isolde.dsp.sources import FrameSource
from isolde.dsp.speech_mask import MID_BAND_HZ, VOICE_BAND_HZ, SpeechParams, band_bins
from isolde.dsp.stft import StftGrid

WINDOWS = 4  # stretches of each kind the estimator runs on,
WINDOW_S = 2.5  # ... each this long at most
SETTLE_S = 0.25  # the estimator's first frames of a stretch, from a cold state, do not count
MIN_EXCESS = 0.25  # the target's stretches must hold this much (of the background) above it

CheckFn = Callable[[], None]


def _sums(
    source: FrameSource,
    grid: StftGrid,
    ranges: Ranges,
    backend: str,
    gain: float,
    check: CheckFn,
) -> tuple[np.ndarray, np.ndarray, int]:
    """(mixture power, estimate power) per bin, and frames, in a few windows of `ranges`,
    channel mean, the estimator's input raised by `gain` as the separation pass raises it."""
    rate = source.sample_rate
    settle = int(np.ceil(SETTLE_S * rate / grid.hop))
    mix = np.zeros(grid.bins)
    out = np.zeros(grid.bins)
    frames = 0
    for a, b in sample_windows(list(ranges), int(WINDOW_S * rate), WINDOWS):
        check()
        x = source.read(a, b).astype(np.float64).mean(axis=1)
        if len(x) < grid.n_fft + settle * grid.hop:
            continue
        y = denoise_whole((x * gain).astype(np.float32), rate, backend) / gain
        spec_x, spec_y = (grid.analyse(v[:, None])[0][settle:] for v in (x, y))
        mix += np.sum(spec_x.real**2 + spec_x.imag**2, axis=0)
        out += np.sum(spec_y.real**2 + spec_y.imag**2, axis=0)
        frames += spec_x.shape[0]
    return mix, out, frames


class Heard(NamedTuple):
    """The share of the target the estimator hears: over VOICE_BAND_HZ, and in MID_BAND_HZ alone
    (None: nothing to judge by)."""

    overall: float | None
    mid: float | None


def _share(
    background: tuple[np.ndarray, np.ndarray, int],
    target: tuple[np.ndarray, np.ndarray, int],
    band: slice,
) -> float | None:
    """What the estimator passes of the target's stretches beyond what it passes of the
    background alone, over what they hold above the background, in `band`'s bins."""
    bg_mix, bg_out = (float(np.sum(v[band])) for v in background[:2])
    t_mix, t_out = (float(np.sum(v[band])) for v in target[:2])
    if background[2] == 0 or target[2] == 0 or bg_mix <= 0.0:
        return None
    level = bg_mix / background[2] * target[2]  # the spans' level over the target's frames
    excess = t_mix - level
    if excess <= MIN_EXCESS * level:
        return None
    return (t_out - bg_out / bg_mix * level) / excess


def hearing(
    source: FrameSource,
    grid: StftGrid,
    excluded: Ranges,
    included: Ranges,
    backend: str,
    gain: float,
    check: CheckFn,
) -> Heard:
    """The share of the target (its power above the background, in the target's stretches)
    that the estimator passes, beyond what it passes of the background alone — overall and in
    the mid band; None where there is nothing to judge by: no exclude spans, or a target barely
    above their background."""
    if not excluded:
        return Heard(None, None)
    target = list(included) or complement(excluded, source.frames)
    background_sums = _sums(source, grid, excluded, backend, gain, check)
    target_sums = _sums(source, grid, target, backend, gain, check)
    bin_hz = source.sample_rate / grid.n_fft
    bands = (band_bins(bin_hz, b, grid.bins) for b in (VOICE_BAND_HZ, MID_BAND_HZ))
    return Heard(*(_share(background_sums, target_sums, band) for band in bands))


def deaf_weight(heard: float | None, params: SpeechParams) -> float:
    """1 when the estimator hears at most deaf_hearing[0] of the target, 0 from [1] up."""
    if heard is None:
        return 0.0
    lo, hi = params.deaf_hearing
    return float(np.clip((hi - heard) / (hi - lo), 0.0, 1.0))
