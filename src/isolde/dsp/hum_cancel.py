"""Coherent mains-hum cancellation: follow each hum line's amplitude, phase and frequency and
subtract the line itself from the waveform, before the speech path sees the recording.

A mask can only scale a bin, so wherever a voice's harmonic shares a bin with a hum line it
keeps the hum or loses the voice. Mains hum is a sum of sinusoids at k × f0 whose amplitudes and
phases drift slowly (the grid's frequency wanders by hundredths of a hertz), so each line can be
estimated over seconds, far more narrowly than any STFT bin, and taken out of the waveform. What
a voice puts within a hertz of the lines would go with them; the estimate leans on the blocks
where nothing else passes through a line, which leaves the voice nearly whole.

Per harmonic k and 10 ms block j, the signal is demodulated at k × φ(t) (φ follows the tracked
mains frequency) and the block sums are smoothed over SMOOTH_S — a line's complex amplitude
A_k(j). The frequency track comes from the phase slope of the strongest lines (a couple of
passes; the costly block transform is done once, only the phase factors change). The hum is
resynthesised from A_k, held through each block — both directions are one matrix product per
chunk. The file is handled in CHUNK_S chunks, each computed from its own stretch
plus margins and cross-faded into its neighbours, so any read of the cancelled source gives the
same samples whatever was read before.

Used twice: ahead of the speech path (`HumCancelledSource`: the voice is separated from the
recording without its hum) and as the hum path itself (`separate_hum`: the hum is the target).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import numpy as np
from scipy.signal import fftconvolve
from scipy.signal.windows import hann

from isolde.dsp.hum import HumProfile, detect_hum, harmonic_bins, hum_grid, range_frames
from isolde.dsp.method_choice import complement
from isolde.dsp.separation import EmitFn, OutputStage, Ranges, StepFn
from isolde.dsp.sources import FrameSource, read_padded

BLOCK_S = 0.01
SMOOTH_S = 2.0  # each line's amplitude and phase are averaged over this long (Hann)
CHUNK_S = 10.0
FADE_S = 0.5  # neighbouring chunks' estimates cross-fade over this long
TRACK_LINES = 8  # the strongest lines follow the mains frequency
TRACK_PASSES = 2
WEIGHT_PASSES = 2  # re-estimates leaning away from blocks where something else passes
CACHED_CHUNKS = 8  # two sequential readers (the denoiser runs ahead) each keep theirs
MAINS_TOLERANCE_HZ = 0.2
WORTH_DB = 20.0  # a line is cancelled if its hum is at most this far under what else passes


def _kernel(blocks: int) -> np.ndarray:
    k = hann(blocks | 1)
    return k / k.sum()


Parts = tuple[np.ndarray, np.ndarray]


def _parts(matrix: np.ndarray) -> Parts:
    """A complex matrix as contiguous float32 (real, imaginary) parts, for `_times`."""
    return (
        np.ascontiguousarray(matrix.real, dtype=np.float32),
        np.ascontiguousarray(matrix.imag, dtype=np.float32),
    )


# The block transforms are matrix products done as real float32 ones (BLAS; numpy's complex
# path is several times slower): the hum is cancelled to about -40 dB, far above float32's
# rounding.
def _times(real: np.ndarray, matrix: Parts) -> np.ndarray:
    """real @ matrix, complex128 out."""
    x = real.astype(np.float32)
    return (x @ matrix[0]).astype(np.float64) + 1j * (x @ matrix[1])


def _real_times(a: np.ndarray, matrix: Parts) -> np.ndarray:
    """Re(a @ matrix) for complex a, float64 out."""
    re, im = a.real.astype(np.float32), a.imag.astype(np.float32)
    return (re @ matrix[0] - im @ matrix[1]).astype(np.float64)


class HumCanceller:
    """The hum of one profile in a source, chunk by chunk (see the module docstring)."""

    def __init__(self, source: FrameSource, profile: HumProfile) -> None:
        self.source = source
        rate = source.sample_rate
        self.block = max(1, round(BLOCK_S * rate))
        self.chunk = self.block * max(1, round(CHUNK_S / BLOCK_S))
        self.fade = self.block * max(1, round(FADE_S / BLOCK_S))
        self.margin = self.block * (round(SMOOTH_S / BLOCK_S) // 2 + 2)
        self.harmonics = np.array(profile.harmonics, dtype=np.float64)
        self.omega = 2 * np.pi * profile.fundamental / rate  # radians per sample, on f0
        tau = np.arange(self.block) - (self.block - 1) / 2  # samples from a block's centre
        phase = np.outer(self.harmonics, tau) * self.omega
        self._analysis = _parts(np.exp(-1j * phase).T)  # (block, K)
        self._synthesis = _parts(np.exp(1j * phase))  # (K, block)
        self._smooth = _kernel(round(SMOOTH_S / BLOCK_S))
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()

    def hum(self, start: int, stop: int) -> np.ndarray:
        """The hum estimate over [start, stop) as (n, channels) float64."""
        out = np.zeros((max(stop - start, 0), self.source.channels))
        if stop <= start:
            return out
        first = max((start - self.fade) // self.chunk, 0)
        last = min((stop + self.fade) // self.chunk, (self.source.frames - 1) // self.chunk)
        for i in range(first, last + 1):
            a = i * self.chunk - self.fade  # the chunk's weighted estimate covers [a, a + len)
            part = self._chunk(i)
            lo, hi = max(start, a), min(stop, a + len(part))
            if hi > lo:
                out[lo - start : hi - start] += part[lo - a : hi - a]
        return out

    def _chunk(self, index: int) -> np.ndarray:
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        c0 = index * self.chunk
        a, b = c0 - self.fade, c0 + self.chunk + self.fade
        estimate = self._estimate(a - self.margin, b + self.margin)[self.margin : -self.margin]
        # Trapezoid weights: the ramps of neighbouring chunks sum to one.
        weight = np.ones(b - a)
        ramp = (np.arange(2 * self.fade) + 0.5) / (2 * self.fade)
        if index > 0:
            weight[: 2 * self.fade] = ramp
        if c0 + self.chunk < self.source.frames:
            weight[-2 * self.fade :] = ramp[::-1]
        part = (estimate * weight[:, None]).astype(np.float32)
        self._cache[index] = part
        while len(self._cache) > CACHED_CHUNKS:
            self._cache.popitem(last=False)
        return part

    def _estimate(self, a: int, b: int) -> np.ndarray:
        """The hum over [a, b) (a multiple of blocks long), from the source there alone."""
        x = read_padded(self.source, a, b).astype(np.float64)
        count = (b - a) // self.block
        # Blocks wholly outside the file carry no information: left out of the averages.
        starts = a + np.arange(count) * self.block
        valid = ((starts + self.block > 0) & (starts < self.source.frames)).astype(np.float64)
        raw = self._analyse(x)
        deviation = np.zeros(count)  # Hz off f0 per block
        lines = self._track_lines(raw)
        for _ in range(TRACK_PASSES):
            rotation = self._rotation(deviation, lines)
            amplitude = self._amplitudes(raw[:, :, lines].mean(axis=0), rotation, valid[:, None])
            deviation += self._drift(amplitude, lines)
        rotation = self._rotation(deviation, None)
        # A first estimate from every block; what is left once it is taken out says where
        # something else passes through each line (a voice's harmonic), and the next
        # estimate leans on the other blocks: a hum line is steady, so the blocks around a
        # syllable say what it is under it. Averaging every block alike would take the part
        # of a voice within a hertz of each line with it (-18 dB of a voice; -25 after this).
        # The weights come from the channels' mean: where a voice passes is the same in all.
        weights = self._line_weights(x.mean(axis=1, keepdims=True), raw.mean(axis=0), rotation,
                                     valid)  # fmt: skip
        final = np.stack([self._amplitudes(r, rotation, weights) for r in raw])
        return self._synthesise(final, rotation)

    def _line_weights(
        self, x: np.ndarray, raw: np.ndarray, rotation: np.ndarray, valid: np.ndarray
    ) -> np.ndarray:
        """(blocks, K) weights: 1 where a block holds only the line, falling as something else
        adds to it (relative to the line's own content in a block)."""
        weights = np.broadcast_to(valid[:, None], raw.shape)
        for _ in range(WEIGHT_PASSES):
            amplitude = self._amplitudes(raw, rotation, weights)
            rest = self._analyse(x - self._synthesise(amplitude[None], rotation))[0]
            line = np.abs(amplitude) * (self.block / 2)
            passing = (rest.real**2 + rest.imag**2) / np.maximum(line**2, 1e-30)
            weights = valid[:, None] / (1.0 + passing)
        return weights

    def _analyse(self, x: np.ndarray) -> np.ndarray:
        """(channels, blocks, K): each block's content at each line, phase referred to the
        block's centre."""
        count = len(x) // self.block
        return np.stack(
            [_times(x[:, c].reshape(count, self.block), self._analysis) for c in range(x.shape[1])]
        )

    def _track_lines(self, raw: np.ndarray) -> np.ndarray:
        power = np.mean(np.abs(raw) ** 2, axis=(0, 1))
        return np.sort(np.argsort(power)[::-1][:TRACK_LINES])

    def _rotation(self, deviation: np.ndarray, lines: np.ndarray | None) -> np.ndarray:
        """(blocks, K) e^{i k φ} at each block's centre, φ the mains phase on the track."""
        step = self.omega * self.block + 2 * np.pi * self.block / self.source.sample_rate * (
            deviation
        )
        phase = np.concatenate([[0.0], np.cumsum((step[1:] + step[:-1]) / 2)])
        k = self.harmonics if lines is None else self.harmonics[lines]
        return np.exp(1j * np.outer(phase, k))

    def _amplitudes(self, raw: np.ndarray, rotation: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """(blocks, K) complex amplitudes of the lines: the blocks demodulated and averaged over
        SMOOTH_S with `weight` (blocks, 1 or K)."""
        z = raw * np.conj(rotation)
        weight = np.broadcast_to(weight, z.shape)
        total = self._average(weight)
        smoothed = self._average(z * weight)
        return 2.0 * smoothed / (self.block * np.maximum(total, 1e-12))

    def _average(self, values: np.ndarray) -> np.ndarray:
        """The SMOOTH_S Hann average along blocks, zero outside (an FFT convolution: the
        kernel is ~200 blocks long)."""
        if values.ndim == 1:
            return fftconvolve(values, self._smooth, mode="same")
        return fftconvolve(values, self._smooth[:, None], mode="same", axes=0)

    def _drift(self, amplitude: np.ndarray, lines: np.ndarray) -> np.ndarray:
        """The mains frequency's offset from the present track (Hz on f0), from how fast the
        lines' phases turn, weighted by their power and averaged like the amplitudes."""
        k = self.harmonics[lines]
        turn = np.gradient(np.unwrap(np.angle(amplitude), axis=0), axis=0)
        hz = turn * (self.source.sample_rate / self.block) / (2 * np.pi * k)
        power = np.abs(amplitude) ** 2
        return self._average(np.sum(power * hz, axis=1)) / np.maximum(
            self._average(np.sum(power, axis=1)), 1e-30
        )

    def _synthesise(self, amplitude: np.ndarray, rotation: np.ndarray) -> np.ndarray:
        """(samples, channels) hum from (channels, blocks, K) amplitudes, each held through
        its block (they move far less in 10 ms than the estimate's own error), the phase at
        f0's rate."""
        out = np.empty((amplitude.shape[1] * self.block, amplitude.shape[0]))
        for c in range(amplitude.shape[0]):
            out[:, c] = _real_times(amplitude[c] * rotation, self._synthesis).reshape(-1)
        return out


class HumCancelledSource:
    """A source with the hum taken out: what the speech path analyses and masks. The input
    itself is untouched (the residual is still input − target, so the hum goes there)."""

    def __init__(self, source: FrameSource, profile: HumProfile) -> None:
        self.source = source
        self.sample_rate = source.sample_rate
        self.channels = source.channels
        self.frames = source.frames
        self.canceller = HumCanceller(source, profile)

    def read(self, start: int, stop: int) -> np.ndarray:
        start, stop = max(start, 0), min(stop, self.frames)
        x = self.source.read(start, stop).astype(np.float64)
        return (x - self.canceller.hum(start, start + len(x))).astype(np.float32)


def mains_hum(
    source: FrameSource, check: Callable[[], None] = lambda: None, within: Ranges | None = None
) -> HumProfile | None:
    """The mains hum worth cancelling in `source` (heard `within` those ranges, if given), or
    None: hum as `hum.detect_hum` finds it, within MAINS_TOLERANCE_HZ of 50 or 60 Hz (a grid's
    frequency stays that close; a held note's harmonic series a little further off is music,
    left to the mask), less the lines not worth cancelling (`lines_worth_cancelling`, against
    what the rest of the recording — outside `within`, else all of it — puts through them)."""
    grid = hum_grid(source.sample_rate)
    frames = range_frames(source, grid, check, within)
    profile = detect_hum(frames, grid, source.sample_rate, check)
    if profile is None:
        return None
    if min(abs(profile.fundamental - 50.0), abs(profile.fundamental - 60.0)) > MAINS_TOLERANCE_HZ:
        return None
    if within is not None:
        frames = range_frames(source, grid, check, complement(sorted(within), source.frames))
        if not len(frames):
            return profile
    return lines_worth_cancelling(profile, frames.mean(axis=0), grid.n_fft / source.sample_rate)


def lines_worth_cancelling(
    profile: HumProfile, passing: np.ndarray, per_hz: float
) -> HumProfile | None:
    """`profile` with only the lines whose hum is within WORTH_DB of what else passes through
    them (`passing`: mean power per bin of the hum grid, hum included), or None if none is.

    Cancelling takes a little of whatever passes through a line with it (about -25 dB of it):
    under a voice, a hum 30–40 dB down is worth less than that, and removing it cost a nearly
    clean voice up to 9 dB of SI-SDR. Such faint lines stay for the mask, which takes them
    where nothing covers them."""
    steady = np.zeros(len(passing))
    steady[profile.line_bins] = profile.steady
    kept: list[int] = []
    lobes: list[np.ndarray] = []
    for k in profile.harmonics:
        bins = harmonic_bins(profile.fundamental, k, per_hz, len(passing))
        line = float(steady[bins].sum())
        if line >= max(float(passing[bins].sum()) - line, 0.0) * 10 ** (-WORTH_DB / 10):
            kept.append(k)
            lobes.append(bins)
    if not kept:
        return None
    if len(kept) == len(profile.harmonics):
        return profile
    bins = np.concatenate(lobes)
    return HumProfile(profile.fundamental, tuple(kept), bins, steady[bins])


def separate_hum(
    source: FrameSource, profile: HumProfile, floor: float, emit: EmitFn, step: StepFn
) -> None:
    """The hum path: stream target (the hum, plus `floor` of the rest, as every method keeps
    that much room in its target) and residual (the rest) through `emit`, in order; removing
    the hum is the remix with the target at zero."""
    canceller = HumCanceller(source, profile)
    output = OutputStage(source, [], floor, emit, step)
    for a in range(0, source.frames, canceller.chunk):
        b = min(a + canceller.chunk, source.frames)
        hum = canceller.hum(a, b)
        output.push(a, hum + floor * (source.read(a, b).astype(np.float64) - hum))
