"""Keep the stereo image of a mono separation.

SAM Audio returns a mono target. Applied as is to a stereo source, the target would sit in the
middle and the stereo image would survive only in the residual. Instead the mono target and
mono residual give a time-frequency mask |T|² / (|T|² + |R|²), and that mask is applied to each
original channel: the target keeps each sound where it was, and target + residual is the
original exactly (the residual is computed as original − target).

Processing is chunked on one global frame grid (chunk starts on hop boundaries, with a window of
context each side), so the result does not depend on where chunks fall: constant memory, no seams.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from isolde.audio.output_format import OutputFormat
from isolde.audio.resampling import Resampler
from isolde.audio.source import AudioSource
from isolde.audio.writer import AudioWriter
from isolde.core.errors import AudioFileError
from isolde.core.progress import CancelToken, ProgressFn, no_progress

N_FFT = 2048
HOP = 512
CHUNK_FRAMES = 256 * HOP  # ~2.7 s at 48 kHz
EPS = 1e-12
FLOAT_WAV = OutputFormat("wav", "float")


def _window() -> np.ndarray:
    # sqrt-Hann analysis and synthesis at 75 % overlap sum to a constant (1.5): divided out below.
    return np.sqrt(np.hanning(N_FFT + 1)[:N_FFT]).astype(np.float64)


class _MonoTarget:
    """The engine's target as mono at the source's rate, zero past its end."""

    def __init__(self, target: AudioSource, rate: int) -> None:
        self.target = target
        self.rate = rate
        self.cache = np.zeros(0)
        self.cache_start = 0
        if target.sample_rate == rate:
            self.resampler = None
        else:
            self.resampler = Resampler(target.sample_rate, rate, 1)
            self._position = 0  # source-rate frames produced so far
            self._blocks = target.blocks(65_536)

    def read(self, start: int, stop: int) -> np.ndarray:
        if self.resampler is None:
            got = self.target.read(max(start, 0), max(stop, 0)).mean(axis=1).astype(np.float64)
            out = np.zeros(stop - start)
            offset = max(0, -start)
            out[offset : offset + len(got)] = got[: stop - start - offset]
            return out
        return self._read_resampled(start, stop)

    def _read_resampled(self, start: int, stop: int) -> np.ndarray:
        # Reads move forward only (with bounded look-back), so keep a sliding buffer.
        while self.cache_start + len(self.cache) < stop:
            block = next(self._blocks, None)
            if block is None:
                tail = self.resampler.flush()[:, 0]
                self.cache = np.concatenate([self.cache, tail, np.zeros(stop)])
                break
            made = self.resampler.process(block[1].mean(axis=1, keepdims=True))[:, 0]
            self.cache = np.concatenate([self.cache, made.astype(np.float64)])
        drop = max(0, min(start, len(self.cache) + self.cache_start) - self.cache_start - N_FFT * 4)
        if drop > 0:
            self.cache = self.cache[drop:]
            self.cache_start += drop
        out = np.zeros(stop - start)
        lo = max(start, 0)
        a, b = lo - self.cache_start, stop - self.cache_start
        got = self.cache[max(a, 0) : b]
        out[lo - start : lo - start + len(got)] = got
        return out


def reproject(
    source: AudioSource,
    target: AudioSource,
    target_out: Path,
    residual_out: Path,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> None:
    """Write a target and residual with the source's channels, rate and length."""
    if target.frames == 0:
        raise AudioFileError(target.info.path, "the engine's target is empty")
    window = _window()
    norm = 1.5  # sum of window² at HOP = N_FFT / 4
    mono = _MonoTarget(target, source.sample_rate)
    frames, channels = source.frames, source.channels
    with (
        AudioWriter(target_out, source.sample_rate, channels, FLOAT_WAV) as t_writer,
        AudioWriter(residual_out, source.sample_rate, channels, FLOAT_WAV) as r_writer,
    ):
        for a in range(0, frames, CHUNK_FRAMES):
            if cancel is not None:
                cancel.raise_if_cancelled()
            b = min(a + CHUNK_FRAMES, frames)
            # Frames k*HOP that touch [a, b): from the first starting before a to the last before b.
            k0, k1 = (a - N_FFT) // HOP + 1, (b - 1) // HOP + 1
            lo, hi = k0 * HOP, (k1 - 1) * HOP + N_FFT
            x = _read(source, lo, hi)
            t = mono.read(lo, hi)
            starts = np.arange(k1 - k0) * HOP
            idx = starts[:, None] + np.arange(N_FFT)[None, :]
            spec_t = np.fft.rfft(t[idx] * window, axis=1)
            spec_m = np.fft.rfft(x.mean(axis=1)[idx] * window, axis=1)
            power_t = np.abs(spec_t) ** 2
            mask = power_t / (power_t + np.abs(spec_m - spec_t) ** 2 + EPS)
            out = np.zeros((hi - lo, channels))
            for c in range(channels):
                frames_c = (
                    np.fft.irfft(np.fft.rfft(x[:, c][idx] * window, axis=1) * mask, n=N_FFT, axis=1)
                    * window
                )
                _overlap_add(frames_c, out[:, c])
            made = out[a - lo : b - lo] / norm
            original = x[a - lo : b - lo]
            t_writer.write(made.astype(np.float32))
            r_writer.write((original - made).astype(np.float32))
            progress(b / frames, "keeping the stereo image")


def _overlap_add(frames: np.ndarray, out: np.ndarray) -> None:
    """Add frames spaced HOP apart into `out`: frames j, j+4, j+8… (HOP = N_FFT / 4) do not
    overlap each other, so each of the four sets is one contiguous add."""
    step = N_FFT // HOP
    for j in range(step):
        group = frames[j::step]
        if len(group):
            start = j * HOP
            out[start : start + group.size] += group.reshape(-1)


def _read(source: AudioSource, start: int, stop: int) -> np.ndarray:
    """Samples [start, stop) as float64, zeros outside the file."""
    out = np.zeros((stop - start, source.channels))
    lo, hi = max(start, 0), min(stop, source.frames)
    if hi > lo:
        out[lo - start : hi - start] = source.read(lo, hi)
    return out
