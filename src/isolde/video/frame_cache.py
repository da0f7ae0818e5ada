"""FrameCache: decoded frames around the playhead, made on a worker thread of their own.

The caller (the GUI thread) never decodes and never blocks: `request(i)` says which frame is
wanted now (the latest request wins), `get(i)` returns it if it is ready, and `on_ready(i)` —
called on the worker thread — says when one arrives. A request that moves the window stops the
decoding of a frame outside it between two decoded frames, so scrubbing never waits for a
stale seek to finish. After the requested frame the worker decodes a few frames ahead, which is
cheap because the reader steps forward without seeking. At most `capacity` frames are kept
(fewer for big pictures: `max_bytes` bounds the memory, 256 MB ≈ 43 frames of 1080p), the
least recently used going first. Plain threading; no Qt.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from isolde.core.errors import AudioFileError
from isolde.video.frames import VideoReader

ReadyFn = Callable[[int], None]


class FrameCache:
    def __init__(
        self,
        path: str | Path,
        capacity: int = 48,
        *,
        max_bytes: int = 256 << 20,
        prefetch: int = 8,
        on_ready: ReadyFn | None = None,
        reader_factory: Callable[[str], VideoReader] | None = None,
    ) -> None:
        self.path = str(path)
        self.capacity = max(1, capacity)
        self.max_bytes = max_bytes
        self.prefetch = max(0, min(prefetch, self.capacity - 1))
        self._on_ready = on_ready
        self._factory = reader_factory or VideoReader
        self._cond = threading.Condition(threading.RLock())
        self._frames: OrderedDict[int, np.ndarray] = OrderedDict()
        self._failed: set[int] = set()
        self._want: int | None = None
        self._count = 0  # frames in the video, once the worker has opened it
        self._opened = False
        self._closed = False
        self.error: str | None = None  # what went wrong, for the user (None: all well)
        self._thread = threading.Thread(target=self._run, name="isolde-frames", daemon=True)
        self._thread.start()

    # -- the caller's side ---------------------------------------------------------------------
    def request(self, index: int) -> None:
        """Ask for frame `index` (and the few after it); returns at once."""
        with self._cond:
            self._want = max(0, int(index))
            self._cond.notify_all()

    def get(self, index: int) -> np.ndarray | None:
        """Frame `index` if it is decoded, else None. Never waits. Do not write to it."""
        with self._cond:
            image = self._frames.get(index)
            if image is not None:
                self._frames.move_to_end(index)
            return image

    def wait(self, index: int, timeout: float = 5.0) -> np.ndarray | None:
        """Block until frame `index` is decoded (tests, benchmarks); None on timeout or failure.
        Does not request it."""
        with self._cond:
            self._cond.wait_for(
                lambda: index in self._frames or index in self._failed or self._gave_up(),
                timeout,
            )
            return self._frames.get(index)

    def wait_open(self, timeout: float = 5.0) -> bool:
        """Block until the worker has opened the video; False on timeout or failure."""
        with self._cond:
            self._cond.wait_for(lambda: self._opened or self._gave_up(), timeout)
            return self._opened and self.error is None

    @property
    def frame_count(self) -> int:
        """Frames in the video; 0 until the worker has opened it."""
        return self._count

    @property
    def limit(self) -> int:
        """Frames kept at most: `capacity`, fewer when they would pass `max_bytes` (big
        pictures), never fewer than the request and its prefetch."""
        with self._cond:  # an RLock: _evict calls this holding it
            frame_bytes = next(iter(self._frames.values())).nbytes if self._frames else 0
        by_bytes = self.max_bytes // frame_bytes if frame_bytes else self.capacity
        return max(self.prefetch + 1, min(self.capacity, by_bytes))

    def cached(self) -> list[int]:
        """Indices held now, least recently used first."""
        with self._cond:
            return list(self._frames)

    def close(self) -> None:
        """Stop the worker (after the frame it is decoding) and drop every frame."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join()
        with self._cond:
            self._frames.clear()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def __enter__(self) -> FrameCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the worker ------------------------------------------------------------------------------
    def _gave_up(self) -> bool:
        return self._closed or (not self._opened and self.error is not None)

    def _run(self) -> None:
        try:
            reader = self._factory(self.path)
        except AudioFileError as exc:
            with self._cond:
                self.error = str(exc)
                self._cond.notify_all()
            return
        try:
            with self._cond:
                self._count = reader.frame_count
                self._opened = True
                self._cond.notify_all()
            while True:
                index = self._next_job()
                if index is None:
                    return
                self._decode(reader, index)
        finally:
            reader.close()

    def _next_job(self) -> int | None:
        """The next frame to decode (the wanted one first, then the ones after it), waiting
        for a request when there is nothing to do; None once closed."""
        with self._cond:
            while not self._closed:
                if self._want is not None:
                    want = min(self._want, self._count - 1)
                    for index in range(want, min(want + self.prefetch + 1, self._count)):
                        if index not in self._frames and index not in self._failed:
                            return index
                self._cond.wait()
            return None

    def _decode(self, reader: VideoReader, index: int) -> None:
        try:
            image = reader.try_frame(index, lambda: self._unwanted(index))
        except AudioFileError as exc:
            with self._cond:
                self.error = str(exc)
                self._failed.add(index)
                self._cond.notify_all()
            return
        if image is None:
            return  # a newer request came while decoding towards this one
        with self._cond:
            self._frames[index] = image
            self._frames.move_to_end(index)
            self._evict()
            self._cond.notify_all()
        if self._on_ready is not None:
            self._on_ready(index)

    def _unwanted(self, index: int) -> bool:
        """Whether a request made since `index` was chosen leaves it outside the window (read
        without the lock: one int, and a stale answer only costs a frame)."""
        want = self._want
        return self._closed or want is None or not want <= index <= want + self.prefetch

    def _evict(self) -> None:
        """Drop least recently used frames beyond the limit, keeping the wanted window."""
        limit = self.limit
        if len(self._frames) <= limit:
            return
        want = self._want if self._want is not None else -1
        for index in list(self._frames):
            if len(self._frames) <= limit:
                break
            if not want <= index <= want + self.prefetch:
                del self._frames[index]
