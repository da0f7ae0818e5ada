"""What the streaming drivers read from: anything with a rate, a length and `read(start, stop)`.

The audio layer's `AudioSource` fits this protocol; `ArraySource` wraps an in-memory array so the
DSP can be driven (and tested) without files.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class FrameSource(Protocol):
    @property
    def sample_rate(self) -> int: ...

    @property
    def channels(self) -> int: ...

    @property
    def frames(self) -> int: ...

    def read(self, start: int, stop: int) -> np.ndarray:
        """Samples [start, stop) as float32, shape (n, channels); 0 <= start <= stop <= frames."""
        ...


class ArraySource:
    """An (n, channels) array seen as a FrameSource."""

    def __init__(self, samples: np.ndarray, sample_rate: int) -> None:
        data = np.asarray(samples, dtype=np.float32)
        if data.ndim == 1:
            data = data[:, None]
        self._data = data
        self.sample_rate = int(sample_rate)
        self.channels = data.shape[1]
        self.frames = data.shape[0]

    def read(self, start: int, stop: int) -> np.ndarray:
        return self._data[start:stop]


def read_padded(source: FrameSource, start: int, stop: int) -> np.ndarray:
    """Samples [start, stop) as float64, zeros where the range runs past either end of the file.

    The STFT grid reaches beyond the file by up to one frame; zero padding there keeps every
    frame the same whether the file is processed whole or in chunks.
    """
    out = np.zeros((stop - start, source.channels), dtype=np.float64)
    lo, hi = max(start, 0), min(stop, source.frames)
    if hi > lo:
        out[lo - start : hi - start] = source.read(lo, hi)
    return out
