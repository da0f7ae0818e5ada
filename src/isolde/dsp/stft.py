"""A perfectly reconstructing STFT on a fixed, file-wide frame grid, plus streaming overlap-add.

Frame m covers samples [m*hop - (n_fft - hop), m*hop + hop): the first frame starts before the
file so that every sample is covered by the same number of frames, and the analysis/synthesis
window pair then sums to exactly one everywhere. Because the grid is fixed by the file and not by
the chunk, a chunked run computes exactly the frames a whole-file run would.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

REFERENCE_RATE = 48_000
REFERENCE_FFT = 2048
OVERLAP = 4  # frames covering each sample (75% overlap)


def fft_size_for(sample_rate: int) -> int:
    """2048 at 48 kHz, scaled with the rate to a power of two (so ~43 ms frames at any rate)."""
    exact = REFERENCE_FFT * sample_rate / REFERENCE_RATE
    return int(2 ** max(8, round(math.log2(max(exact, 1.0)))))


@dataclass(frozen=True)
class StftGrid:
    n_fft: int
    hop: int
    analysis: np.ndarray = field(repr=False, compare=False)
    synthesis: np.ndarray = field(repr=False, compare=False)

    @classmethod
    def for_rate(cls, sample_rate: int, overlap: int = OVERLAP) -> StftGrid:
        return cls.create(fft_size_for(sample_rate), overlap)

    @classmethod
    def create(cls, n_fft: int, overlap: int = OVERLAP) -> StftGrid:
        if n_fft % overlap:
            raise ValueError(f"n_fft {n_fft} is not a multiple of the overlap {overlap}")
        hop = n_fft // overlap
        # Periodic Hann; the synthesis window divides by the summed squared windows so that
        # analysis followed by synthesis is the identity for any hop that divides n_fft.
        analysis = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
        norm = (analysis**2).reshape(overlap, hop).sum(axis=0)
        synthesis = analysis / np.tile(norm, overlap)
        return cls(n_fft, hop, analysis, synthesis)

    @property
    def bins(self) -> int:
        return self.n_fft // 2 + 1

    @property
    def lead(self) -> int:
        """How far before sample 0 the first frame starts."""
        return self.n_fft - self.hop

    def frame_start(self, m: int) -> int:
        return m * self.hop - self.lead

    def frame_count(self, total: int) -> int:
        """Frames needed so that every sample of a `total`-sample file is fully covered."""
        return -(-(total + self.lead) // self.hop)

    def analyse(self, block: np.ndarray) -> np.ndarray:
        """STFT of a (n, ch) block holding whole frames at this hop: (ch, frames, bins)."""
        channels = np.ascontiguousarray(block.T)  # each channel's frames read contiguously
        frames = (channels.shape[1] - self.n_fft) // self.hop + 1
        if frames <= 0:
            return np.zeros((channels.shape[0], 0, self.bins), dtype=np.complex128)
        view = np.lib.stride_tricks.sliding_window_view(channels, self.n_fft, axis=1)
        return np.fft.rfft(view[:, :: self.hop][:, :frames] * self.analysis, axis=-1)

    def synthesise(self, spec: np.ndarray) -> np.ndarray:
        """Windowed inverse frames, (ch, frames, n_fft), ready for overlap-add."""
        return np.fft.irfft(spec, n=self.n_fft, axis=-1) * self.synthesis


class OverlapAdd:
    """Streaming overlap-add: push consecutive synthesis frames, get finished samples back."""

    def __init__(self, grid: StftGrid, channels: int) -> None:
        self.grid = grid
        self._overlap = grid.n_fft // grid.hop
        self._tail = np.zeros((channels, self._overlap - 1, grid.hop))

    def push(self, frames: np.ndarray) -> np.ndarray:
        """Add (ch, m, n_fft) frames; return the m*hop samples, (n, ch), no later frame touches."""
        ch, m, _ = frames.shape
        r, hop = self._overlap, self.grid.hop
        acc = np.zeros((ch, m + r - 1, hop))
        acc[:, : r - 1] += self._tail
        parts = frames.reshape(ch, m, r, hop)
        for k in range(r):
            acc[:, k : k + m] += parts[:, :, k]
        self._tail = acc[:, m:].copy()
        return acc[:, :m].reshape(ch, m * hop).T
