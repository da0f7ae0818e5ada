"""FrameReader: streams a source's frames in peak storage type without mapping them into memory.

Reading a 2 GB file through its memory map makes every page count as this process's resident
memory until the map is dropped. Plain reads into a caller's buffer go through the page cache
instead, so a pass over the whole file leaves resident memory flat. This is how the pyramid's
background pass and its preview read; short reads for drawing still use the map.
"""

from __future__ import annotations

import mmap
from typing import BinaryIO

import numpy as np

from isolde.audio.media_probe import identify
from isolde.audio.peaks import PeakFormat, raw_block
from isolde.audio.source import AudioSource
from isolde.core.errors import AudioFileError

_INT24_SCALE = np.float32(1.0 / 2**31)  # a 24-bit sample shifted into the top of an int32


class FrameReader:
    """Frames [start, stop) as (n, channels) in `PeakFormat.of(source).dtype`.

    Three ways, picked once: the WAV (or decode-cache) file behind a plain memory map; the
    file behind a packed 24-bit WAV, unpacked here exactly as `AudioSource.read` does; or,
    for anything else (arrays in memory), the source itself.
    """

    def __init__(self, source: AudioSource, fmt: PeakFormat) -> None:
        self._source = source
        self._fmt = fmt
        self._file: BinaryIO | None = None
        self._offset = 0
        self._sample_bytes = fmt.dtype.itemsize
        self._packed = np.empty(0, np.uint8)  # scratch for 24-bit bytes
        samples = source.samples
        path: str | None = None
        if (
            isinstance(samples, np.memmap)
            and isinstance(samples.base, mmap.mmap)
            and samples.filename is not None
            and samples.flags.c_contiguous
            and samples.dtype == fmt.dtype
        ):
            path, self._offset = samples.filename, int(samples.offset)
        elif samples is None:
            offset = _packed24_offset(source)
            if offset is not None:
                path, self._offset, self._sample_bytes = source.info.path, offset, 3
        if path is not None:
            self._file = open(path, "rb", buffering=0)  # noqa: SIM115 (closed in close())

    def read(self, start: int, stop: int, out: np.ndarray | None = None) -> np.ndarray:
        """Frames [start, stop) into `out` (C-contiguous, (n, channels)) or a new array."""
        channels = self._source.channels
        if out is None:
            out = np.empty((stop - start, channels), self._fmt.dtype)
        if self._file is None:
            out[:] = raw_block(self._source, start, stop)
            return out
        if self._sample_bytes != 3:
            self._read_bytes(start, stop, out)
            return out
        n = stop - start
        if self._packed.size < n * channels * 3:
            self._packed = np.empty(n * channels * 3, np.uint8)
        packed = self._packed[: n * channels * 3]
        self._read_bytes(start, stop, packed)
        # Little-endian: the three bytes above a zero low byte make the int32 value << 8.
        wide = np.empty((n, channels), "<i4")
        parts = wide.view(np.uint8).reshape(n, channels, 4)
        parts[..., 0] = 0
        parts[..., 1:] = packed.reshape(n, channels, 3)
        out[:] = wide
        out *= _INT24_SCALE
        return out

    def _read_bytes(self, start: int, stop: int, dest: np.ndarray) -> None:
        assert self._file is not None
        view = memoryview(dest).cast("B")
        nbytes = len(view)
        self._file.seek(self._offset + start * self._source.channels * self._sample_bytes)
        got = 0
        while got < nbytes:  # raw reads may return short; only 0 means end of file
            step = self._file.readinto(view[got:])
            if not step:
                break
            got += step
        if got != nbytes:
            raise AudioFileError(
                self._source.info.path,
                f"the file is shorter than its header says (read {got} of {nbytes} bytes "
                f"at frame {start}); was it truncated while open?",
            )

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _packed24_offset(source: AudioSource) -> int | None:
    """Where the samples of a packed 24-bit WAV start, if the file still matches the source."""
    try:
        wav = identify(source.info.path).wav
    except (AudioFileError, OSError):
        return None
    if (
        wav is None
        or wav.dtype is not None
        or wav.channels != source.channels
        or wav.frames != source.frames
    ):
        return None
    return wav.data_offset
