"""Peaks of the recording as edited: the source's pyramid, with the edited stretches' own peaks
laid over it. No Qt.

Only what an edit covers is read again. Each region (the edited frames, merged and widened to
whole top-level buckets of the source's pyramid) gets levels of the same bucket sizes on the
same frame grid, so a column inside it is reduced exactly as the pyramid would reduce it. A
short region is computed at once; a long one (a whole-file Apply on a 3-hour file) on a daemon
thread, front to back, and until a column is covered it shows the source's peaks. Short views
are drawn from the edited samples themselves, like the pyramid draws short views.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Sequence

import numpy as np

from isolde.audio.edited_source import EditedSource, merge_ranges
from isolde.audio.peaks import column_edges, minmax_at, minmax_columns
from isolde.audio.pyramid import CHUNK_BYTES, RAW_LIMIT, PeakPyramid
from isolde.audio.pyramid_levels import Level, LevelLayout, store_block
from isolde.audio.splice import Splice
from isolde.core.background_pass import BackgroundPass
from isolde.core.progress import CancelToken

# Regions with at most this many samples (all channels) are reduced on the spot (~25 ms; 2.7 s
# of 48 kHz stereo), so a short Apply never shows the old peaks; longer ones on a worker.
SYNC_SAMPLES = 1 << 18
F32 = np.dtype(np.float32)


def region_spans(ranges: Sequence[tuple[int, int]], top: int, frames: int) -> list[tuple[int, int]]:
    """`ranges` widened to whole `top`-frame buckets, overlapping ones merged, in order."""
    return merge_ranges((a // top * top, min(frames, -(-b // top) * top)) for a, b in ranges)


def splice_key(splice: Splice) -> Hashable:
    """What a splice's audio depends on: take files are never rewritten, so paths will do."""
    parts = tuple((part.info.path, gain) for part, gain in splice.parts)
    return (splice.start, splice.stop, splice.fade, splice.equal_power, parts)


def region_key(edited: EditedSource, span: tuple[int, int]) -> Hashable:
    """Peaks of a region can be reused while the same splices touch it."""
    a, b = span
    touching = tuple(splice_key(s) for s in edited.splices if s.start < b and s.stop > a)
    return (edited.info.path, a, b, touching)


class RegionPeaks:
    """Levels of the edited audio over frames [start, stop), filled front to back."""

    def __init__(self, edited: EditedSource, start: int, stop: int, sizes: tuple[int, ...]) -> None:
        self.edited, self.start, self.stop, self.sizes = edited, start, stop, sizes
        channels = edited.channels
        self.levels = [
            Level(
                size,
                np.empty((-(-(stop - start) // size), channels), F32),
                np.empty((-(-(stop - start) // size), channels), F32),
            )
            for size in sizes
        ]
        self._filled = start  # frames [start, filled) hold exact peaks
        self._lock = threading.Lock()
        self._pass = BackgroundPass("edited-peaks")

    @property
    def filled(self) -> int:
        with self._lock:
            return self._filled

    @property
    def complete(self) -> bool:
        return self.filled >= self.stop

    def fill(self, token: CancelToken | None = None) -> None:
        """Compute what is missing, here and now (the thread runs this too)."""
        top, channels = self.sizes[-1], self.edited.channels
        chunk = max(1, CHUNK_BYTES // (channels * F32.itemsize) // top) * top
        pos = self.filled
        while pos < self.stop:
            if token is not None:
                token.raise_if_cancelled()
            end = min(pos + chunk, self.stop)
            block = self.edited.read(pos, end)
            store_block(self.levels, block, pos - self.start, F32)
            with self._lock:
                self._filled = end
            pos = end

    def start_background(self) -> None:
        """Fill on a daemon thread (resumes where a cancelled pass stopped); no-op if running."""
        if self.complete:
            return
        self._pass.start(self.fill)

    @property
    def error(self) -> BaseException | None:
        """Why the last background pass stopped early (the source's peaks stay in place)."""
        return self._pass.error

    def cancel(self) -> None:
        self._pass.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        return self._pass.wait(timeout)

    def columns(self, edges: np.ndarray, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Min/max per column for absolute frame `edges` inside [start, filled)."""
        level = self.levels[index]
        return minmax_columns(level.lo, level.hi, level.size, edges - self.start)


class EditedPeaks:
    """Draws like a PeakPyramid (`envelope`, `samples`, `channels`, `frames`, `complete`)."""

    def __init__(self, base: PeakPyramid, edited: EditedSource, regions: list[RegionPeaks]) -> None:
        self.base, self.edited, self.regions = base, edited, regions
        self.layout = LevelLayout.plan(base.frames, base.channels)

    @property
    def channels(self) -> int:
        return self.base.channels

    @property
    def frames(self) -> int:
        return self.base.frames

    @property
    def complete(self) -> bool:
        return self.base.complete and all(r.complete for r in self.regions)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every region is reduced (tests, benchmarks); True if they are."""
        return all(region.wait(timeout) for region in self.regions) and all(
            r.complete for r in self.regions
        )

    def samples(self, start_frame: int, stop_frame: int) -> np.ndarray:
        return self.edited.read(start_frame, stop_frame)

    def envelope(
        self, start_frame: int, stop_frame: int, columns: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """float32 (min, max) of shape (columns, channels), as `PeakPyramid.envelope`."""
        frames, columns = self.frames, int(columns)
        stop = min(max(int(stop_frame), 0), frames)
        start = min(max(int(start_frame), 0), stop)
        n = stop - start
        if n <= 0 or columns <= 0 or not self.edited.touches(start, stop):
            return self.base.envelope(start, stop, columns)
        edges = column_edges(start, stop, columns)
        index = self.layout.level_for(n / columns)
        # The pyramid's rule: finer than its buckets, or not reduced yet, short views come
        # from the samples themselves.
        if n <= RAW_LIMIT and (index is None or not self._covered(start, stop)):
            return minmax_at(self.edited.read(start, stop), edges[:-1] - start)
        lo, hi = self.base.envelope(start, stop, columns)
        index = index or 0
        for region in self.regions:
            if region.stop <= start or region.start >= stop:
                continue
            filled = region.filled
            # Columns wholly inside the filled part take the region's levels at once.
            c0 = int(np.searchsorted(edges[:-1], region.start, side="left"))
            c1 = int(np.searchsorted(edges[1:], filled, side="right"))
            if c1 > c0:
                lo[c0:c1], hi[c0:c1] = region.columns(edges[c0 : c1 + 1], index)
            # The columns across its edges (or the filled part's end) are pieced together.
            for c in {c0 - 1, c1}:
                if 0 <= c < columns and edges[c] < filled and edges[c + 1] > region.start:
                    lo[c], hi[c] = self._column(int(edges[c]), int(edges[c + 1]), index)
        return lo, hi

    def _covered(self, start: int, stop: int) -> bool:
        """True when every region across [start, stop) is reduced there."""
        return all(
            r.filled >= min(stop, r.stop) for r in self.regions if r.start < stop and r.stop > start
        )

    def _column(self, a: int, b: int, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Min/max of frames [a, b): filled region parts from their levels, the rest from the
        source's peaks."""
        pieces: list[tuple[np.ndarray, np.ndarray]] = []
        pos = a
        for region in self.regions:
            lo_r, hi_r = max(pos, region.start), min(b, region.filled)
            if hi_r <= lo_r:
                continue
            if lo_r > pos:
                pieces.append(self._base(pos, lo_r, index))
            pieces.append(region.columns(np.array([lo_r, hi_r], np.int64), index))
            pos = hi_r
        if pos < b:
            pieces.append(self._base(pos, b, index))
        lo = np.min([p[0].min(axis=0) for p in pieces], axis=0)
        hi = np.max([p[1].max(axis=0) for p in pieces], axis=0)
        return lo, hi

    def _base(self, a: int, b: int, index: int) -> tuple[np.ndarray, np.ndarray]:
        # Enough columns that the source's pyramid reduces its piece at the same level.
        size = self.layout.sizes[index]
        return self.base.envelope(a, b, max(1, (b - a) // size))


class EditedPeaksCache:
    """Region peaks kept by what they depend on, so undo and redo do not read them again."""

    def __init__(self, keep: int = 4) -> None:
        self.keep = keep
        self._regions: dict[Hashable, RegionPeaks] = {}

    def peaks(self, base: PeakPyramid, edited: EditedSource) -> EditedPeaks:
        layout = LevelLayout.plan(base.frames, base.channels)
        regions = []
        for span in region_spans(edited.ranges, layout.top, edited.frames):
            key = region_key(edited, span)
            region = self._regions.pop(key, None)
            if region is None:
                region = RegionPeaks(edited, *span, layout.sizes)
                if (span[1] - span[0]) * edited.channels <= SYNC_SAMPLES:
                    region.fill()
            self._regions[key] = region  # most recently used last
            region.start_background()
            regions.append(region)
        in_use = {id(r) for r in regions}
        unused = [k for k, r in self._regions.items() if id(r) not in in_use]
        for key in unused:
            self._regions[key].cancel()  # resumes if an undo brings it back
        for key in unused[: max(0, len(unused) - self.keep)]:
            del self._regions[key]
        return EditedPeaks(base, edited, regions)

    def clear(self) -> None:
        for region in self._regions.values():
            region.cancel()
        self._regions.clear()
