"""Min/max envelopes for drawing a waveform without touching every sample on screen."""

from __future__ import annotations

import numpy as np

from isolde.audio.source import AudioSource
from isolde.core.progress import CancelToken


def envelope(
    source: AudioSource,
    buckets: int,
    *,
    start: int = 0,
    stop: int | None = None,
    cancel: CancelToken | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-bucket minimum and maximum, float32 arrays of shape (buckets, channels).

    Works on the memory-mapped samples with reduceat (fast, no copy of the file); formats
    without a plain sample array are read in blocks.
    """
    stop = source.frames if stop is None else min(stop, source.frames)
    n = max(0, stop - start)
    buckets = max(1, min(buckets, n)) if n else 0
    if buckets == 0:
        empty = np.zeros((0, source.channels), np.float32)
        return empty, empty
    edges = np.linspace(start, stop, buckets + 1).astype(np.int64)
    lo = np.empty((buckets, source.channels), np.float32)
    hi = np.empty((buckets, source.channels), np.float32)
    # Bounded batches keep cancel responsive and memory flat on multi-gigabyte files.
    batch = max(1, int(buckets * (2_000_000 / max(n, 1))))
    for b0 in range(0, buckets, batch):
        if cancel is not None:
            cancel.raise_if_cancelled()
        b1 = min(buckets, b0 + batch)
        a, z = int(edges[b0]), int(edges[b1])
        if source.samples is not None:
            data = source.samples[a:z]
            offsets = edges[b0:b1] - a
            lo[b0:b1] = np.minimum.reduceat(data, offsets, axis=0) * source.scale
            hi[b0:b1] = np.maximum.reduceat(data, offsets, axis=0) * source.scale
        else:
            data = source.read(a, z)
            offsets = edges[b0:b1] - a
            lo[b0:b1] = np.minimum.reduceat(data, offsets, axis=0)
            hi[b0:b1] = np.maximum.reduceat(data, offsets, axis=0)
    if source.samples is not None and source.samples.dtype == np.uint8:
        lo -= 1.0  # 8-bit WAV is unsigned around 128; scale maps 0..255 onto 0..2
        hi -= 1.0
    return lo, hi
