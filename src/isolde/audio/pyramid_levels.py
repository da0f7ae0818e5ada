"""The shape of a peak pyramid and how one stretch of frames becomes peaks at every level.

Level 0 holds the min/max of every BASE_BUCKET frames; each next level merges FACTOR buckets of
the one below, until the whole file fits in at most TOP_BUCKETS buckets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from isolde.audio.frame_reader import FrameReader
from isolde.audio.peaks import minmax_at

# 128 frames (2.7 ms at 48 kHz) keeps a 3-hour stereo 16-bit file's pyramid near 43 MB; views
# finer than that read the samples themselves, which is as fast for such short ranges.
BASE_BUCKET = 128
FACTOR = 4
TOP_BUCKETS = 4096
_PREVIEW_PER_BUCKET = 4


@dataclass(frozen=True)
class LevelLayout:
    """Bucket sizes (frames, finest first) and bucket counts of every level of one file."""

    frames: int
    channels: int
    sizes: tuple[int, ...]

    @classmethod
    def plan(cls, frames: int, channels: int) -> LevelLayout:
        sizes = [BASE_BUCKET]
        while -(-frames // sizes[-1]) > TOP_BUCKETS:
            sizes.append(sizes[-1] * FACTOR)
        return cls(frames, channels, tuple(sizes))

    @property
    def counts(self) -> tuple[int, ...]:
        return tuple(-(-self.frames // size) for size in self.sizes)

    @property
    def top(self) -> int:
        return self.sizes[-1]

    def level_for(self, frames_per_column: float) -> int | None:
        """The coarsest level whose bucket is no wider than a column (None: finer than level 0)."""
        best = None
        for i, size in enumerate(self.sizes):
            if size <= frames_per_column:
                best = i
        return best


@dataclass
class Level:
    size: int  # frames per bucket
    lo: np.ndarray  # (buckets, channels)
    hi: np.ndarray


def empty_levels(layout: LevelLayout, dtype: np.dtype) -> list[Level]:
    # np.empty only reserves: pages become resident as the background pass writes them.
    shape = [(count, layout.channels) for count in layout.counts]
    return [
        Level(size, np.empty(s, dtype), np.empty(s, dtype))
        for size, s in zip(layout.sizes, shape, strict=True)
    ]


def reduce_block(block: np.ndarray, sizes: tuple[int, ...], dtype: np.dtype) -> list[Level]:
    """Peaks of every level for `block`, whose first frame starts a bucket of every level."""
    lo, hi = minmax_at(block, np.arange(0, len(block), sizes[0]))
    lo, hi = lo.astype(dtype, copy=False), hi.astype(dtype, copy=False)
    out = [Level(sizes[0], lo, hi)]
    for size in sizes[1:]:
        idx = np.arange(0, len(lo), FACTOR)
        lo, hi = np.minimum.reduceat(lo, idx, axis=0), np.maximum.reduceat(hi, idx, axis=0)
        out.append(Level(size, lo, hi))
    return out


def store_block(levels: list[Level], block: np.ndarray, at: int, dtype: np.dtype) -> None:
    """Reduce `block` into `levels` in place; its first frame is frame `at` of the levels'
    grid and starts a bucket of every level."""
    sizes = tuple(level.size for level in levels)
    for level, part in zip(levels, reduce_block(block, sizes, dtype), strict=True):
        first = at // level.size
        level.lo[first : first + len(part.lo)] = part.lo
        level.hi[first : first + len(part.hi)] = part.hi


def sample_preview(
    reader: FrameReader, layout: LevelLayout, dtype: np.dtype, windows: int, window: int
) -> Level:
    """Approximate top-level peaks from a few short windows spread over each bucket.

    Reads are bounded (at most `windows` x `window` frames) whatever the file's length, so a
    whole file can be drawn at once. Sampled, so it may miss peaks: values only ever fall
    inside the true range of their bucket.
    """
    size, count, frames = layout.top, layout.counts[-1], layout.frames
    per = max(1, min(_PREVIEW_PER_BUCKET, windows // count))
    window = max(1, min(window, size // per))
    starts = np.arange(count, dtype=np.int64)[:, None] * size
    ends = np.minimum(starts + size, frames)
    centres = starts + (ends - starts) * (2 * np.arange(per) + 1) // (2 * per)
    a = np.clip(centres - window // 2, starts, np.maximum(ends - window, starts)).ravel()
    b = np.minimum(a + window, np.repeat(ends.ravel(), per))
    offsets = np.concatenate(([0], np.cumsum(b - a)[:-1]))
    buffer = np.empty((int((b - a).sum()), layout.channels), dtype)
    for first, stop, at in zip(a.tolist(), b.tolist(), offsets.tolist(), strict=True):
        reader.read(first, stop, buffer[at : at + stop - first])
    # The windows of one bucket lie side by side in the buffer.
    lo, hi = minmax_at(buffer, offsets[::per])
    return Level(size, lo, hi)
