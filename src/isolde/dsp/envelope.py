"""Where the user said the target is absent, as a per-sample envelope for the target.

1 outside exclude spans, 0 inside, with short linear ramps just inside each span's edges so the
forced silence does not click in or out.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

RAMP_S = 0.02


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and join overlapping or touching [start, stop) sample ranges."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(r for r in ranges if r[1] > r[0]):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def presence_envelope(
    excluded: list[tuple[int, int]], start: int, stop: int, ramp: int
) -> np.ndarray | None:
    """Envelope for samples [start, stop), or None when no exclude range touches them.

    `excluded` must be merged (non-overlapping); each range ramps down over min(ramp, len/2).
    """
    env: np.ndarray | None = None
    for a, b in excluded:
        if b <= start or a >= stop:
            continue
        if env is None:
            env = np.ones(stop - start)
        lo, hi = max(a, start), min(b, stop)
        t = np.arange(lo, hi, dtype=np.float64)
        r = max(min(ramp, (b - a) // 2), 1)
        depth = np.minimum(np.minimum(t - a + 0.5, b - t - 0.5) / r, 1.0)
        env[lo - start : hi - start] = np.minimum(env[lo - start : hi - start], 1.0 - depth)
    return env
