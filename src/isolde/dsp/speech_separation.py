"""The chunked streaming driver for the speech path: a denoiser fused with the span background.

Per chunk of the file-wide STFT grid: the mixture's spectrum (all channels, and their mean),
the denoiser's estimate of the speech on the same grid, and each frame's weights towards the
background (how surely a bin holds no speech). The background tracker re-measures the
background around each frame, which needs frames up to `half` ahead; so masks are formed, applied
and overlap-added `half` frames behind the analysis, from spectra kept in a short queue.
Memory holds a chunk plus a window of frames, whatever the file's length. The mask is one gain
per bin for every channel (complex when it leans on the network's own gain), the lowest bins
pass untouched when they hold the recording's sub-sonic rumble, and the residual is always
input − target.
"""

from __future__ import annotations

import math
from collections import deque
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from isolde.dsp import learned_fusion
from isolde.dsp.background_tracker import BackgroundTracker
from isolde.dsp.denoised_stream import DenoisedStream
from isolde.dsp.method_choice import complement, sample_windows
from isolde.dsp.separation import (
    EmitFn,
    OutputStage,
    Profiles,
    Ranges,
    StepFn,
    chunk_frames,
)
from isolde.dsp.sources import FrameSource, read_padded
from isolde.dsp.speech_mask import (
    MID_BAND_HZ,
    SpeechParams,
    background_weights,
    band_bins,
    blended_gains,
    line_steadiness,
    network_share,
    rumble_bins,
    speech_gains,
    tonal_weights,
)
from isolde.dsp.steady_background import (
    background_ceiling,
    even_background,
    keep_standing_out,
    level_weights,
    steady_weights,
)
from isolde.dsp.stft import REFERENCE_RATE, OverlapAdd, StftGrid

LEVEL_WINDOWS = 8
STEADY_WINDOWS = 16  # stretches of the exclude spans whose frames show how steady lines are,
STEADY_FRAMES = 16  # ... each up to this many frame lengths (2 s at 48 kHz)
STEADY_MIN_FRAMES = 8  # fewer frames than this say nothing about it
SPEECH_FFT = 6144  # at 48 kHz: 128 ms frames resolve a voice's harmonics (measured best)


def _smooth_sizes(limit: int) -> list[int]:
    """Multiples of 4 up to `limit` with no prime factor above 5 (fast FFT lengths)."""
    sizes = []
    for a in range(2, int(math.log2(limit)) + 1):
        for b in range(int(math.log(limit, 3)) + 1):
            for c in range(int(math.log(limit, 5)) + 1):
                n = 2**a * 3**b * 5**c
                if n <= limit:
                    sizes.append(n)
    return sorted(sizes)


def speech_grid(sample_rate: int) -> StftGrid:
    """SPEECH_FFT scaled to the rate (same length in time), rounded to a fast FFT length."""
    want = max(SPEECH_FFT * sample_rate / REFERENCE_RATE, 64)
    n = min(_smooth_sizes(int(want * 2)), key=lambda k: (abs(k - want), k))
    return StftGrid.create(n)


def window_half(grid: StftGrid, sample_rate: int, params: SpeechParams) -> int:
    return max(1, round(params.window_s * sample_rate / grid.hop / 2))


class SpeechPass(NamedTuple):
    """What pass 2 decided for the whole file, for take.json."""

    rumble_kept_below_hz: float  # the input left untouched below this (0: nowhere)
    even_background: float  # 0–1, steady_background.even_background of the exclude spans
    learned: bool  # whether learned_fusion set the gains (the network's path, with its weights)


class _Pending:
    """Analysed frames waiting for their background: spectra, mixture power and the
    denoiser's spectrum."""

    def __init__(self) -> None:
        self._parts: deque[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = deque()

    def add(self, m0: int, spec: np.ndarray, power: np.ndarray, speech: np.ndarray) -> None:
        self._parts.append((m0, spec, power, speech))

    def pop(self, m0: int, m1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Frames [m0, m1) (which must be the oldest held), removed from the queue."""
        specs, powers, speeches = [], [], []
        m = m0
        while m < m1:
            first, spec, power, speech = self._parts[0]
            a, b = m - first, min(m1 - first, power.shape[0])
            specs.append(spec[:, a:b])
            powers.append(power[a:b])
            speeches.append(speech[a:b])
            if b == power.shape[0]:
                self._parts.popleft()
            m = first + b
        return (
            np.concatenate(specs, axis=1),
            np.concatenate(powers),
            np.concatenate(speeches),
        )


def target_power(source: FrameSource, grid: StftGrid, excluded: Ranges) -> float:
    """Mean power per frame (summed over bins, channel mean) in a few windows outside the
    exclude spans: the level the sub-sonic band is weighed against."""
    ranges = complement(excluded, source.frames) or [(0, source.frames)]
    total, count = 0.0, 0
    for a, b in sample_windows(ranges, grid.n_fft * 8, LEVEL_WINDOWS):
        spec = grid.analyse(read_padded(source, a, max(b, a + grid.n_fft)).mean(axis=1)[:, None])
        total += float(np.sum(spec.real**2 + spec.imag**2))
        count += spec.shape[1]
    return total / max(count, 1)


def span_frames(source: FrameSource, grid: StftGrid, excluded: Ranges) -> np.ndarray | None:
    """Power frames (frames, bins) from up to STEADY_WINDOWS stretches of the exclude spans, in
    time order: the background alone, to judge how steady and how even it is; None when the
    spans give too few."""
    parts = []
    for a, b in sample_windows(list(excluded), grid.n_fft * STEADY_FRAMES, STEADY_WINDOWS):
        if b - a >= grid.n_fft:
            spec = grid.analyse(read_padded(source, a, b).mean(axis=1)[:, None])[0]
            parts.append(spec.real**2 + spec.imag**2)
    if sum(len(p) for p in parts) < STEADY_MIN_FRAMES:
        return None
    return np.concatenate(parts)


def background_lines(
    background: np.ndarray, steadiness: np.ndarray | None, params: SpeechParams
) -> np.ndarray:
    """Per bin, how far the background is a steady line, which the blend leaves to the fused
    mask: its lines (`tonal_weights`), kept only as far as they hold steady through the exclude
    spans' frames (`steadiness`, from `line_steadiness`). Without enough of the spans (or any)
    there is no stretch of background alone to judge by: every line counts."""
    lines = tonal_weights(background, params)
    return lines if steadiness is None else lines * steadiness


# One BLAS thread: the denoiser's worker holds the other core, and a BLAS pool spinning against
# it made the learned stage's matrix products five times slower (measured on 2 cores).
@threadpool_limits.wrap(limits=1, user_api="blas")
def separate_speech(
    source: FrameSource,
    grid: StftGrid,
    params: SpeechParams,
    profiles: Profiles,
    excluded: Ranges,
    denoised: DenoisedStream,
    emit: EmitFn,
    step: StepFn,
    chunk: int | None = None,
    recording: FrameSource | None = None,
    deaf: float = 0.0,
    deaf_mid: float = 0.0,
) -> SpeechPass:
    """Pass 2 of the speech path: stream target and residual through `emit`, in order.

    `source` is what is analysed and masked; `recording` (default: `source`) is the input the
    residual is taken from — the recording itself when `source` has had its hum cancelled.
    `deaf` (0–1, from network_hearing.deaf_weight) is how far the denoiser takes the target
    for noise: that far, what stands well above the span profile keeps its subtraction gain.
    `deaf_mid` is the same for the mid band (MID_BAND_HZ) alone: that far, what stands well
    above the tracked background there keeps its subtraction gain.

    Returns the frequency below which the input was left untouched as the recording's own
    sub-sonic rumble (0: nowhere), how even the spans showed the background to be, and whether
    the learned stage ran (with `params.blend`, when its weights are installed)."""
    total, channels, rate = source.frames, source.channels, source.sample_rate
    chunk = chunk or chunk_frames(grid, rate, channels)
    count = grid.frame_count(total)
    tracker = BackgroundTracker(
        profiles.noise, window_half(grid, rate, params), params.prior_frames, count
    )
    pending = _Pending()
    ola = OverlapAdd(grid, channels)
    output = OutputStage(recording or source, excluded, params.floor, emit, step)
    level = target_power(source, grid, excluded)
    keep = rumble_bins(profiles.noise, rate / grid.n_fft, params, level)
    # The kept rumble also stays inside the exclude spans, where the rest falls to the floor.
    keep_ola = OverlapAdd(grid, channels) if keep and excluded else None
    # Where the do-no-harm bound holds: a voice far above its background (a nearly clean
    # recording, or one whose mains hum is cancelled), or a background the spans show is
    # steady noise.
    steady = level_weights(level, profiles.noise, rate / grid.n_fft, params)
    span_power = span_frames(source, grid, excluded)
    steadiness = None
    even = 0.0
    if span_power is not None:
        steadiness = line_steadiness(span_power, params)
        steady = np.maximum(steady, steady_weights(span_power, steadiness, params))
        even = even_background(span_power, rate / grid.n_fft, params)
    tonal = background_lines(profiles.noise, steadiness, params) if params.blend else None
    learned = params.blend and learned_fusion.available()  # trained on the blended gains
    ceiling = background_ceiling(profiles.noise, steady, params)
    # What stands well above the span profile keeps its subtraction gain when the denoiser is
    # deaf to the target, or when the spans show the background never stands out that far.
    keep_weight = max(deaf, even)
    keep_weights = np.full(len(profiles.noise), keep_weight)
    mid_weights = np.zeros(len(profiles.noise))
    mid_weights[band_bins(rate / grid.n_fft, MID_BAND_HZ, len(mid_weights))] = deaf_mid
    done = 0  # frames masked and overlap-added so far
    for m0 in range(0, count, chunk):
        m1 = min(count, m0 + chunk)
        s0, s1 = grid.frame_start(m0), grid.frame_start(m1 - 1) + grid.n_fft
        spec = grid.analyse(read_padded(source, s0, s1))
        mono = spec.mean(axis=0)
        power = mono.real**2 + mono.imag**2
        rspec = grid.analyse(denoised.read(s0, s1)[:, None])[0]
        speech = rspec.real**2 + rspec.imag**2
        weights = background_weights(speech, profiles.noise, params.weight_power)
        tracker.push(weights * power, weights)
        pending.add(m0, spec, power, rspec)
        ready = tracker.ready()
        if ready <= done:
            step(0)  # nothing to write yet; still a cancel check
            continue
        spec, power, rspec = pending.pop(done, ready)
        background = tracker.take(done, ready)
        if ceiling is not None:
            background = np.minimum(background, ceiling)
        speech = rspec.real**2 + rspec.imag**2
        gains = speech_gains(power, speech, background, params)
        if tonal is not None:
            share = network_share(power, background, tonal, params)
            gains = blended_gains(spec.mean(axis=0), rspec, gains, share, params.floor)
        gains = keep_standing_out(gains, power, background, steady, params)
        if keep_weight > 0.0:
            gains = keep_standing_out(
                gains, power, profiles.noise, keep_weights, params, params.deaf_keep_db
            )
        if deaf_mid > 0.0:  # against the tracked background: the profile keeps drum hits
            gains = keep_standing_out(
                gains, power, background, mid_weights, params, params.deaf_keep_db
            )
        if learned:
            gains = learned_fusion.refined_gains(
                gains, power, speech, background, profiles.noise, rate / grid.n_fft, params.floor
            )
        if profiles.weight is not None:  # max(gain × weight, floor), in size for a complex gain
            gains = gains * np.maximum(
                profiles.weight, params.floor / np.maximum(np.abs(gains), 1e-12)
            )
        gains[:, :keep] = 1.0
        low = None
        if keep_ola is not None:
            low_spec = np.zeros_like(spec)
            low_spec[..., :keep] = spec[..., :keep]
            low = keep_ola.push(grid.synthesise(low_spec))
        spec *= gains
        output.push(grid.frame_start(done), ola.push(grid.synthesise(spec)), low)
        done = ready
    return SpeechPass(round(keep * rate / grid.n_fft, 1), even, learned)
