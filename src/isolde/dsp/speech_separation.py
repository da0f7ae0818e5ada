"""The chunked streaming driver for the speech path: RNNoise fused with the span background.

Per chunk of the file-wide STFT grid: the mixture's spectrum (all channels, and their mean),
RNNoise's estimate of the speech on the same grid, and each frame's weights towards the
background (how surely a bin holds no speech). The background tracker re-measures the
background around each frame, which needs frames up to `half` ahead; so masks are formed, applied
and overlap-added `half` frames behind the analysis, from spectra kept in a short queue.
Memory holds a chunk plus a window of frames, whatever the file's length.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from isolde.providers.local.background_tracker import BackgroundTracker
from isolde.providers.local.denoised_stream import DenoisedStream
from isolde.providers.local.separation import (
    EmitFn,
    OutputStage,
    Profiles,
    Ranges,
    StepFn,
    chunk_frames,
)
from isolde.providers.local.sources import FrameSource, read_padded
from isolde.providers.local.speech_mask import SpeechParams, background_weights, speech_gains
from isolde.providers.local.stft import REFERENCE_RATE, OverlapAdd, StftGrid

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


class _Pending:
    """Analysed frames waiting for their background: spectra, mixture and speech power."""

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
) -> None:
    """Pass 2 of the speech path: stream target and residual through `emit`, in order."""
    total, channels, rate = source.frames, source.channels, source.sample_rate
    chunk = chunk or chunk_frames(grid, rate, channels)
    count = grid.frame_count(total)
    tracker = BackgroundTracker(
        profiles.noise, window_half(grid, rate, params), params.prior_frames, count
    )
    pending = _Pending()
    ola = OverlapAdd(grid, channels)
    output = OutputStage(source, excluded, params.floor, emit, step)
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
        pending.add(m0, spec, power, speech)
        ready = tracker.ready()
        if ready <= done:
            step(0)  # nothing to write yet; still a cancel check
            continue
        spec, power, speech = pending.pop(done, ready)
        gains = speech_gains(power, speech, tracker.take(done, ready), params)
        if profiles.weight is not None:
            gains = np.maximum(gains * profiles.weight, params.floor)
        spec *= gains
        output.push(grid.frame_start(done), ola.push(grid.synthesise(spec)))
        done = ready
