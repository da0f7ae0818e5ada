"""A preallocated ring of prepared audio chunks between one producer and one consumer.

The feeder thread (producer) fills whole slots and publishes each by bumping `written`; the
audio callback (consumer) reads them and bumps `taken`. Each counter has exactly one writer and
Python's GIL makes each store atomic, so neither side ever takes a lock — the callback can
never be held up by a slow disk read on the other side.

Each slot carries the generation it was made for: after a seek or a new play request the
consumer drops slots from older generations, so stale audio is never heard.
"""

from __future__ import annotations

import numpy as np

SEAM = 1  # the slot starts a new pass of a loop
END = 2  # the slot holds the last frames of the requested range


class BlockQueue:
    """`slots` chunks of (lanes, chunk, channels) float32 plus per-slot metadata."""

    def __init__(self, slots: int, lanes: int, chunk: int, channels: int) -> None:
        self.slots = slots
        self.chunk = chunk
        self.data = np.zeros((slots, lanes, chunk, channels), np.float32)
        self.gen = np.zeros(slots, np.int64)
        self.start = np.zeros(slots, np.int64)  # source frame of the slot's first frame
        self.count = np.zeros(slots, np.int64)  # frames used in the slot (<= chunk)
        self.flags = np.zeros(slots, np.int8)
        self.written = 0  # producer-owned: slots published so far
        self.taken = 0  # consumer-owned: slots fully consumed or dropped
        self.offset = 0  # consumer-owned: frames already consumed from the head slot

    # -- producer side -------------------------------------------------------------------
    def free(self) -> int:
        return self.slots - (self.written - self.taken)

    def next_slot(self) -> int:
        """Index of the slot to fill next; only valid while free() > 0."""
        return self.written % self.slots

    def publish(self, gen: int, start: int, count: int, flags: int = 0) -> None:
        i = self.written % self.slots
        self.gen[i], self.start[i], self.count[i], self.flags[i] = gen, start, count, flags
        self.written += 1  # last: the consumer may read the slot from this moment on

    # -- consumer side -------------------------------------------------------------------
    def available(self) -> int:
        return self.written - self.taken

    def head(self) -> int:
        """Index of the oldest unconsumed slot; only valid while available() > 0."""
        return self.taken % self.slots

    def drop_head(self) -> None:
        self.offset = 0
        self.taken += 1

    def head_gen(self) -> int | None:
        """Generation of the oldest unconsumed slot, None when empty (a peek from any thread)."""
        taken = self.taken
        if self.written - taken <= 0:
            return None
        return int(self.gen[taken % self.slots])
