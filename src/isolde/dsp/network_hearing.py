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
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from isolde.dsp.denoise_worker import denoise_whole
from isolde.dsp.method_choice import Ranges, complement, sample_windows
from isolde.dsp.sources import FrameSource
from isolde.dsp.speech_mask import SpeechParams
from isolde.dsp.stft import StftGrid

WINDOWS = 4  # stretches of each kind the estimator runs on,
WINDOW_S = 2.5  # ... each this long at most
SETTLE_S = 0.25  # the estimator's first frames of a stretch, from a cold state, do not count
BAND_HZ = (100.0, 8000.0)  # where a voice has its power and the estimators work
MIN_EXCESS = 0.25  # the target's stretches must hold this much (of the background) above it

CheckFn = Callable[[], None]


def _sums(
    source: FrameSource,
    grid: StftGrid,
    ranges: Ranges,
    backend: str,
    gain: float,
    check: CheckFn,
) -> tuple[float, float, int]:
    """(mixture power, estimate power, frames) over BAND_HZ in a few windows of `ranges`,
    channel mean, the estimator's input raised by `gain` as the separation pass raises it."""
    rate = source.sample_rate
    lo, hi = (round(f * grid.n_fft / rate) for f in BAND_HZ)
    settle = int(np.ceil(SETTLE_S * rate / grid.hop))
    mix = out = 0.0
    frames = 0
    for a, b in sample_windows(list(ranges), int(WINDOW_S * rate), WINDOWS):
        check()
        x = source.read(a, b).astype(np.float64).mean(axis=1)
        if len(x) < grid.n_fft + settle * grid.hop:
            continue
        y = denoise_whole((x * gain).astype(np.float32), rate, backend) / gain
        spec_x, spec_y = (grid.analyse(v[:, None])[0][settle:, lo:hi] for v in (x, y))
        mix += float(np.sum(spec_x.real**2 + spec_x.imag**2))
        out += float(np.sum(spec_y.real**2 + spec_y.imag**2))
        frames += spec_x.shape[0]
    return mix, out, frames


def hearing(
    source: FrameSource,
    grid: StftGrid,
    excluded: Ranges,
    included: Ranges,
    backend: str,
    gain: float,
    check: CheckFn,
) -> float | None:
    """The share of the target (its power above the background, in the target's stretches)
    that the estimator passes, beyond what it passes of the background alone; None when there
    is nothing to judge by: no exclude spans, or a target barely above their background."""
    if not excluded:
        return None
    target = list(included) or complement(excluded, source.frames)
    bg_mix, bg_out, bg_frames = _sums(source, grid, excluded, backend, gain, check)
    t_mix, t_out, t_frames = _sums(source, grid, target, backend, gain, check)
    if bg_frames == 0 or t_frames == 0 or bg_mix <= 0.0:
        return None
    background = bg_mix / bg_frames * t_frames  # the spans' level over the target's frames
    excess = t_mix - background
    if excess <= MIN_EXCESS * background:
        return None
    return (t_out - bg_out / bg_mix * background) / excess


def deaf_weight(heard: float | None, params: SpeechParams) -> float:
    """1 when the estimator hears at most deaf_hearing[0] of the target, 0 from [1] up."""
    if heard is None:
        return 0.0
    lo, hi = params.deaf_hearing
    return float(np.clip((hi - heard) / (hi - lo), 0.0, 1.0))
