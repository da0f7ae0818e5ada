"""PeakPyramid: min/max peaks of a whole file at many resolutions, for drawing it at any zoom.

Opening never waits for a long file to be read:
- cache hit: every level is memory-mapped from cache_dir()/"peaks" at once;
- short file: all levels are computed on the spot (a few milliseconds);
- long file: a *preview* of the coarsest level is sampled from a few thousand short windows
  spread over the file (tens of milliseconds, whatever its length), and `start_background`
  computes the exact levels in one streaming pass on a daemon thread, front to back.

While that pass runs, `envelope` draws the part it has covered from exact peaks, the rest from
the preview, and short ranges straight from the samples. The preview can miss short peaks;
exact peaks never do (see `minmax_columns`). The finished pyramid is written to the cache.

Threading: only `_filled` and `_preview` change while the pass runs, and they are swapped under
a lock that is never held while computing; the level arrays are filled strictly beyond
`_filled`, so readers never see a half-written bucket.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from isolde.audio import pyramid_cache, pyramid_levels
from isolde.audio.frame_reader import FrameReader
from isolde.audio.peaks import PeakFormat, column_edges, minmax_at, minmax_columns, raw_block
from isolde.audio.pyramid_levels import Level, LevelLayout, empty_levels
from isolde.audio.source import AudioSource
from isolde.core.background_pass import BackgroundPass
from isolde.core.progress import CancelToken, ProgressFn

# Files with at most this many samples (all channels) are done in open(): ~15 ms of work.
SYNC_SAMPLES = 1 << 24
# Ranges up to this many frames may be reduced from the samples themselves (about 1 ms).
RAW_LIMIT = 1 << 19
# The background pass reads this much per step; small steps keep cancel and the GUI thread
# responsive (numpy holds the GIL while it reduces).
CHUNK_BYTES = 4 << 20
# The preview reads at most PREVIEW_WINDOWS windows of PREVIEW_WINDOW frames (8 MB of 16-bit
# stereo): ~20 ms from the page cache, ~150 ms from disk, whatever the file's length.
PREVIEW_WINDOWS = 8192
PREVIEW_WINDOW = 512


class PeakPyramid:
    """Multi-resolution min/max peaks of one AudioSource; see the module docstring."""

    def __init__(
        self,
        source: AudioSource,
        fmt: PeakFormat,
        layout: LevelLayout,
        levels: list[Level],
        *,
        filled: int,
        cache_key: str | None,
    ) -> None:
        self._source = source
        self._fmt = fmt
        self._layout = layout
        self._levels = levels
        self._filled = filled  # frames [0, filled) are covered by exact peaks
        self._preview: Level | None = None
        self._cache_key = cache_key
        self._lock = threading.Lock()
        self._pass = BackgroundPass("peak-pyramid")

    @classmethod
    def open(cls, source: AudioSource, *, cache: bool = True) -> PeakPyramid:
        """A pyramid with whatever can be had at once; see the module docstring."""
        fmt = PeakFormat.of(source)
        layout = LevelLayout.plan(source.frames, source.channels)
        key = pyramid_cache.cache_key(source) if cache and source.frames else None
        if key is not None:
            levels = pyramid_cache.load(key, layout, fmt.dtype)
            if levels is not None:
                return cls(source, fmt, layout, levels, filled=source.frames, cache_key=None)
        pyramid = cls(source, fmt, layout, empty_levels(layout, fmt.dtype), filled=0, cache_key=key)
        if source.frames * source.channels <= SYNC_SAMPLES:
            pyramid._fill(CancelToken(), None)
            pyramid._save()
        else:
            pyramid._preview = pyramid._sample_preview()
        return pyramid

    # -- facts ----------------------------------------------------------------------------
    @property
    def source(self) -> AudioSource:
        return self._source

    @property
    def frames(self) -> int:
        return self._source.frames

    @property
    def channels(self) -> int:
        return self._source.channels

    @property
    def complete(self) -> bool:
        """True once every level holds exact peaks for the whole file."""
        return self._filled >= self.frames

    @property
    def filled_frames(self) -> int:
        """Frames [0, filled_frames) are drawn from exact peaks; the rest from the preview."""
        return self._filled

    @property
    def error(self) -> BaseException | None:
        """Why the background pass stopped early (e.g. the file vanished), else None."""
        return self._pass.error

    @property
    def bucket_sizes(self) -> tuple[int, ...]:
        """Frames per bucket of each level, finest first."""
        return self._layout.sizes

    def level(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Raw (min, max) peaks of one level in the storage type, (buckets, channels)."""
        level = self._levels[index]
        return level.lo, level.hi

    # -- background pass ------------------------------------------------------------------
    def start_background(
        self,
        on_ready: Callable[[], None] | None = None,
        progress: ProgressFn | None = None,
    ) -> None:
        """Compute the missing exact peaks on a daemon thread (no-op if already running).

        `on_ready()` is called once, from that thread, when the pass ends: complete, or stopped
        by an error (see `error`); not after `cancel`. If the pyramid is already complete it is
        called at once, from this thread. `progress(fraction, message)` also comes from the
        thread. Both should only set a flag or post an event.
        """
        if self.complete:
            if on_ready is not None:
                on_ready()
            return
        self._pass.start(lambda token: self._fill(token, progress), lambda: self._finish(on_ready))

    def cancel(self) -> None:
        """Stop the background pass soon; what it finished stays usable. Restartable."""
        self._pass.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the background pass (and its cache write) ends; True if it has."""
        return self._pass.wait(timeout)

    def _finish(self, on_ready: Callable[[], None] | None) -> None:
        """The pass has ended, complete or by an error: tell the caller; cache what is whole."""
        try:
            if on_ready is not None:
                on_ready()
        finally:
            if self._pass.error is None:
                self._save()

    def _fill(self, token: CancelToken, progress: ProgressFn | None) -> None:
        frames, dtype = self.frames, self._fmt.dtype
        frame_bytes = self.channels * dtype.itemsize
        # Whole top-level buckets per step, so every level's buckets start inside the step.
        chunk = max(1, CHUNK_BYTES // frame_bytes // self._layout.top) * self._layout.top
        buffer = np.empty((min(chunk, frames), self.channels), dtype)
        reader = FrameReader(self._source, self._fmt)
        name = self._source.info.path
        try:
            pos = self._filled
            while pos < frames:
                token.raise_if_cancelled()
                stop = min(pos + chunk, frames)
                block = reader.read(pos, stop, buffer[: stop - pos])
                pyramid_levels.store_block(self._levels, block, pos, dtype)
                with self._lock:
                    self._filled = stop
                    if stop >= frames:
                        self._preview = None
                pos = stop
                if progress is not None:
                    progress(stop / frames, f"reading peaks of {name}")
        finally:
            reader.close()

    def _save(self) -> None:
        if self._cache_key is not None:
            pyramid_cache.store(self._cache_key, self._layout, self._fmt.dtype, self._levels)

    def _sample_preview(self) -> Level:
        reader = FrameReader(self._source, self._fmt)
        try:
            return pyramid_levels.sample_preview(
                reader, self._layout, self._fmt.dtype, PREVIEW_WINDOWS, PREVIEW_WINDOW
            )
        finally:
            reader.close()

    # -- drawing --------------------------------------------------------------------------
    def envelope(
        self, start_frame: int, stop_frame: int, columns: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """float32 (min, max) of shape (columns, channels) over [start_frame, stop_frame).

        The range is clipped to the file and split into `columns` near-equal columns; a column
        narrower than a frame shows the frame it lies on. An empty range gives (0, channels).
        Uses the coarsest level with at least one bucket per column, or the samples themselves
        for short ranges (finer than level 0, or not yet covered by the background pass).
        """
        frames, columns = self.frames, int(columns)
        stop = min(max(int(stop_frame), 0), frames)
        start = min(max(int(start_frame), 0), stop)
        n = stop - start
        if n <= 0 or columns <= 0:
            empty = np.zeros((0, self.channels), np.float32)
            return empty, empty.copy()
        edges = column_edges(start, stop, columns)
        with self._lock:
            filled, preview = self._filled, self._preview
        index = self._layout.level_for(n / columns)
        if n <= RAW_LIMIT and (index is None or stop > filled):
            lo, hi = minmax_at(raw_block(self._source, start, stop), edges[:-1] - start)
        else:
            level = self._levels[index or 0]
            # Columns that end by `filled` use exact peaks; the rest use the preview.
            k = int(np.searchsorted(edges[1:], filled, side="right"))
            if k >= columns or preview is None:
                lo, hi = minmax_columns(level.lo, level.hi, level.size, edges)
            else:
                parts = [minmax_columns(preview.lo, preview.hi, preview.size, edges[k:])]
                if k:
                    parts.insert(0, minmax_columns(level.lo, level.hi, level.size, edges[: k + 1]))
                lo = np.concatenate([p[0] for p in parts])
                hi = np.concatenate([p[1] for p in parts])
        return self._fmt.to_float(np.asarray(lo)), self._fmt.to_float(np.asarray(hi))

    def samples(self, start_frame: int, stop_frame: int) -> np.ndarray:
        """float32 samples (n, channels) of [start_frame, stop_frame), clipped to the file.

        For the sample-level view (fewer frames than about two per pixel); reads the map.
        """
        return self._source.read(start_frame, stop_frame)
