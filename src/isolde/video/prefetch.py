"""Run an iterator on a helper thread a few items ahead of its consumer (no Qt).

Decoding a frame and working on the previous one (tracking it, encoding a mask) overlap this
way: PyAV, OpenCV and numpy release the GIL in their heavy parts. Used by tracking.py and
mask_video.py.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Prefetch(Generic[T]):
    """`with Prefetch(items, depth) as ahead: for item in ahead: ...` — `items` runs on a
    helper thread at most `depth` items ahead. An exception there is raised here, at the item
    where it happened. Leaving the block (normally, by break, or by an exception such as
    Cancelled or KeyboardInterrupt) stops the helper and waits for it, so whatever it was
    reading from is free again afterwards."""

    _END = object()

    def __init__(self, items: Iterator[T], depth: int = 4) -> None:
        self._items_in = items
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="isolde-prefetch", daemon=True)

    def __enter__(self) -> Iterator[T]:
        self._thread.start()
        return self._items()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        while self._thread.is_alive():
            try:  # unblock a producer waiting for room
                self._queue.get_nowait()
            except queue.Empty:
                self._thread.join(0.05)

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for item in self._items_in:
                if not self._put(item):
                    return
            self._put(self._END)
        except BaseException as exc:  # handed to the consumer, raised there
            self._put(exc)

    def _items(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if item is self._END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
