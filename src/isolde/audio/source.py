"""An opened audio file: a read-only memory map plus the arithmetic to turn it into float32."""

from __future__ import annotations

import contextlib
import mmap
from collections.abc import Iterator
from types import TracebackType

import numpy as np

from isolde.audio.info import AudioInfo

_INT24_SCALE = 1.0 / 2**31  # 24-bit samples are shifted into the top of an int32


class AudioSource:
    """Random access to one file's samples without loading it.

    `samples` is the file's own storage, shape (frames, channels), in its own dtype;
    float value = (samples + offset) * scale. It is None for packed 24-bit WAV, which numpy
    cannot view directly; `read` converts those bytes on the fly. NaN and ±inf in float storage
    (a damaged file) read as 0.
    """

    def __init__(
        self,
        info: AudioInfo,
        storage: np.ndarray,
        *,
        scale: float = 1.0,
        offset: float = 0.0,
        packed24: bool = False,
    ) -> None:
        self.info = info
        self.scale = scale
        self.offset = offset
        self._packed24 = packed24
        self._storage: np.ndarray | None = storage

    # -- facts ---------------------------------------------------------------------------
    @property
    def sample_rate(self) -> int:
        return self.info.sample_rate

    @property
    def channels(self) -> int:
        return self.info.channels

    @property
    def frames(self) -> int:
        return self.info.frames

    @property
    def duration(self) -> float:
        return self.info.duration

    @property
    def samples(self) -> np.ndarray | None:
        if self._packed24:
            return None
        return self._open_storage()

    # -- reading -------------------------------------------------------------------------
    def read(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Frames [start, stop) as float32 (n, channels); bounds are clipped to the file."""
        start, stop = self._clip(start, stop)
        raw = self._open_storage()[start:stop]
        if self._packed24:
            return self._unpack24(raw)
        if raw.dtype.kind == "f":
            # A copy, so callers never hold a view into the map; NaN and ±inf (a damaged float
            # file) read as 0 rather than poisoning every result computed from them.
            out = np.array(raw, dtype=np.float32)
            if not np.isfinite(out).all():
                out[~np.isfinite(out)] = 0.0
            if self.scale != 1.0:
                out *= np.float32(self.scale)
            return out
        out = raw.astype(np.float32)
        if self.offset:
            out += np.float32(self.offset)
        if self.scale != 1.0:
            out *= np.float32(self.scale)
        return out

    def read_mono(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Frames [start, stop) as the float32 mean of the channels, shape (n,)."""
        block = self.read(start, stop)
        if block.shape[1] == 1:
            return block[:, 0].copy()
        return block.mean(axis=1, dtype=np.float32)

    def blocks(
        self, block_frames: int, start: int = 0, stop: int | None = None
    ) -> Iterator[tuple[int, np.ndarray]]:
        """(first frame, float32 block) pairs covering [start, stop) in order."""
        if block_frames <= 0:
            raise ValueError("block_frames must be positive")
        start, stop = self._clip(start, stop)
        for first in range(start, stop, block_frames):
            end = min(first + block_frames, stop)
            yield first, self.read(first, end)
            self._release(first, end)

    def _release(self, start: int, stop: int) -> None:
        """Drop mapped pages a sequential pass has finished with.

        Touched pages of a memory map count as this process's resident memory until unmapped;
        a pass over a 500 MB file would grow by 500 MB. The map is read-only, so its pages are
        clean: the kernel just re-reads them if they are needed again.
        """
        storage = self._storage
        mm = getattr(storage, "_mmap", None)
        if mm is None or not hasattr(mmap, "MADV_DONTNEED") or storage is None:
            return
        frame_bytes = storage.strides[0]
        base = storage.offset % mmap.ALLOCATIONGRANULARITY  # where the array starts in the map
        lo = base + start * frame_bytes
        hi = base + stop * frame_bytes
        lo -= lo % mmap.PAGESIZE
        hi -= hi % mmap.PAGESIZE  # whole pages only: the next block may share the last one
        if hi > lo:
            with contextlib.suppress(OSError, ValueError):
                mm.madvise(mmap.MADV_DONTNEED, lo, hi - lo)

    # -- lifetime ------------------------------------------------------------------------
    def close(self) -> None:
        # Dropping our reference unmaps the file once no caller still holds `samples`;
        # closing the mmap under a live view would crash the process instead.
        self._storage = None

    @property
    def closed(self) -> bool:
        return self._storage is None

    def __enter__(self) -> AudioSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        i = self.info
        return (
            f"AudioSource({i.path!r}, {i.sample_rate} Hz, {i.channels} ch, "
            f"{i.frames} frames, {i.format}/{i.subtype})"
        )

    # -- helpers -------------------------------------------------------------------------
    def _open_storage(self) -> np.ndarray:
        if self._storage is None:
            raise ValueError(f"{self.info.path}: the audio source is closed")
        return self._storage

    def _clip(self, start: int, stop: int | None) -> tuple[int, int]:
        frames = self.frames
        stop = frames if stop is None else min(max(int(stop), 0), frames)
        start = min(max(int(start), 0), stop)
        return start, stop

    def _unpack24(self, raw: np.ndarray) -> np.ndarray:
        # raw is uint8 (n, channels, 3), little-endian; place the bytes in the top three of
        # an int32 so the sign comes for free, then scale by 2**-31.
        wide = np.zeros(raw.shape[:2], dtype="<i4")
        wide.view(np.uint8).reshape(*raw.shape[:2], 4)[..., 1:] = raw
        out = wide.astype(np.float32)
        out *= np.float32(_INT24_SCALE)
        return out
