"""The spans SAM Audio predicted (text requests with `predict_spans`), read from fal's result.

fal's published output schema (seeds 000/001, PROVIDERS.md) lists only target, residual,
duration and sample_rate; where the model's predicted spans appear is **unconfirmed**. So this
reads them tolerantly from the first of a few likely keys, as `{start, end[, include]}` objects
or `[start, end]` pairs, and reads nothing (never fails a paid result) when they are absent or
malformed.
"""

from __future__ import annotations

import math
from typing import Any

KEYS = ("predicted_spans", "spans", "span_predictions")


def _pair(item: Any) -> tuple[float, float] | None:
    try:
        if isinstance(item, dict):
            if item.get("include", True) is False:
                return None
            start, end = float(item["start"]), float(item["end"])
        else:
            start, end = float(item[0]), float(item[1])
    except (TypeError, ValueError, KeyError, IndexError):
        return None
    if not (math.isfinite(start) and math.isfinite(end)) or end <= start or start < 0:
        return None
    return start, end


def predicted_spans(data: Any) -> list[list[float]]:
    """[[start, end], …] in time order, in seconds; [] if the result holds none."""
    if not isinstance(data, dict):
        return []
    for key in KEYS:
        found = data.get(key)
        if isinstance(found, list):
            pairs = [p for p in map(_pair, found) if p is not None]
            return [[round(a, 4), round(b, 4)] for a, b in sorted(pairs)]
    return []
