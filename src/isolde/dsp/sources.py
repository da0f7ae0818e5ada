"""What the streaming drivers read from: anything with a rate, a length and `read(start, stop)`.

The audio layer's `AudioSource` fits this protocol; `PlainReads` reads one without its memory map
(for long passes), and `ArraySource` wraps an in-memory array so the DSP can be driven (and
tested) without files.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from isolde.audio import AudioSource
from isolde.audio.frame_reader import FrameReader
from isolde.audio.peaks import PeakFormat

Ranges = Sequence[tuple[int, int]]  # [start, stop) sample ranges of a source, e.g. the spans


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


class PlainReads:
    """An `AudioSource` read with plain file reads instead of through its memory map.

    Reading a long file through the map leaves every page touched counted as this process's
    resident memory until the map is dropped (a 3-hour stereo WAV: 2 GB); plain reads go
    through the page cache and keep resident memory flat. Values equal `AudioSource.read`'s.
    A lock makes reads safe from several threads (the speech estimate reads in its own).
    """

    def __init__(self, source: AudioSource) -> None:
        self.sample_rate = source.sample_rate
        self.channels = source.channels
        self.frames = source.frames
        self._format = PeakFormat.of(source)
        self._reader = FrameReader(source, self._format)
        self._lock = threading.Lock()

    def read(self, start: int, stop: int) -> np.ndarray:
        stop = min(max(stop, 0), self.frames)
        start = min(max(start, 0), stop)
        if stop == start:
            return np.zeros((0, self.channels), dtype=np.float32)
        with self._lock:
            raw = self._reader.read(start, stop)
        return self._format.to_float(raw)

    def close(self) -> None:
        self._reader.close()
