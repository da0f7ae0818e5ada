"""Times as users type them: seconds (`2.5`) or `h:mm:ss.sss` / `m:ss.sss`."""

from __future__ import annotations

import math

from isolde.core.errors import InputError


def parse_time(text: str) -> float:
    raw = text.strip()
    if not raw:
        raise InputError("empty time: give seconds (2.5) or h:mm:ss.sss")
    parts = raw.split(":")
    if len(parts) > 3:
        raise InputError(f"bad time {text!r}: use seconds (2.5) or h:mm:ss.sss")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InputError(f"bad time {text!r}: use seconds (2.5) or h:mm:ss.sss") from None
    if any(not math.isfinite(v) or v < 0 for v in values):
        raise InputError(f"bad time {text!r}: times are finite and not negative")
    if len(values) > 1 and any(v >= 60 for v in values[1:]):
        raise InputError(f"bad time {text!r}: minutes and seconds must be below 60")
    seconds = 0.0
    for v in values:
        seconds = seconds * 60 + v
    return seconds


def parse_range(text: str) -> tuple[float, float]:
    """`A-B` with each end a time; the order is checked by the span rules, not here."""
    if text.count("-") != 1:
        raise InputError(f"bad range {text!r}: write START-END, e.g. 2.5-7 or 1:02.5-1:10")
    a, b = text.split("-")
    return parse_time(a), parse_time(b)


def format_time(seconds: float, *, millis: bool = True) -> str:
    """`h:mm:ss.mmm` — the ruler's and the spans list's format."""
    if not math.isfinite(seconds):
        return "--:--"
    sign = "-" if seconds < 0 else ""
    total_ms = round(abs(seconds) * 1000)
    h, rem = divmod(total_ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    body = f"{h}:{m:02d}:{s:02d}"
    return f"{sign}{body}.{ms:03d}" if millis else f"{sign}{body}"
