"""Min/max envelopes: the reductions the peak pyramid is built from, and a one-off envelope.

Reductions use `np.minimum.reduceat` / `np.maximum.reduceat` along the frame axis. On
interleaved (frames, channels) storage this is many times faster than reshaping into
(buckets, size, channels) and reducing axis 1, and it takes uneven bucket edges for free.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from isolde.audio.source import AudioSource


@dataclass(frozen=True)
class PeakFormat:
    """How min/max values of one source are stored: float value = (stored + offset) * scale.

    Peaks keep the file's own integer type (int16 peaks of a 16-bit file are a quarter of
    float64's size); float64 shrinks to float32, and packed 24-bit, which has no sample array,
    is stored as the float32 that `AudioSource.read` yields.
    """

    dtype: np.dtype
    scale: float
    offset: float

    @classmethod
    def of(cls, source: AudioSource) -> PeakFormat:
        samples = source.samples
        if samples is None:
            return cls(np.dtype(np.float32), 1.0, 0.0)
        dtype = np.dtype(np.float32) if samples.dtype == np.float64 else samples.dtype
        return cls(dtype.newbyteorder("="), source.scale, source.offset)

    def to_float(self, values: np.ndarray) -> np.ndarray:
        # The same arithmetic, in the same order, as AudioSource.read: results match it exactly.
        out = values.astype(np.float32)
        if values.dtype.kind == "f" and not np.isfinite(out).all():
            out[~np.isfinite(out)] = 0.0  # NaN and ±inf read as 0, as AudioSource.read does
        if self.offset:
            out += np.float32(self.offset)
        if self.scale != 1.0:
            out *= np.float32(self.scale)
        return out


def column_edges(start: int, stop: int, columns: int) -> np.ndarray:
    """int64 frame edges of `columns` near-equal columns over [start, stop): columns + 1 values."""
    n = stop - start
    return start + (np.arange(columns + 1, dtype=np.int64) * n) // columns


def minmax_at(data: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of data[offsets[i]:offsets[i + 1]] along axis 0 (the last runs to the end).

    Where offsets[i + 1] <= offsets[i], the row is data[offsets[i]] (reduceat's rule).
    """
    return np.minimum.reduceat(data, offsets, axis=0), np.maximum.reduceat(data, offsets, axis=0)


def minmax_columns(
    lo: np.ndarray, hi: np.ndarray, bucket: int, edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-column min/max from bucketed peaks (`bucket` frames each) for frame `edges`.

    A column takes every bucket that overlaps it, partial ones at both ends included, so no
    peak is ever lost between columns: a spike shows in the column that holds it (and at most
    one neighbour that shares its bucket).
    """
    first = edges[:-1] // bucket
    last = np.maximum((edges[1:] - 1) // bucket, first)
    base = int(first[0])
    end = int(last[-1]) + 1
    # Slice so the final reduceat segment stops at the last column's bucket, not the array end.
    at = first - base
    seg_lo = np.minimum.reduceat(lo[base:end], at, axis=0)
    seg_hi = np.maximum.reduceat(hi[base:end], at, axis=0)
    # reduceat covers [first[i], first[i + 1]); the shared bucket last[i] may lie past it.
    return np.minimum(seg_lo, lo[last]), np.maximum(seg_hi, hi[last])


def raw_block(source: AudioSource, start: int, stop: int) -> np.ndarray:
    """Frames [start, stop) in the `PeakFormat.of(source)` storage type (a view when possible)."""
    samples = source.samples
    if samples is None:
        return source.read(start, stop)
    block = samples[start:stop]
    return block.astype(np.float32) if block.dtype == np.float64 else block
