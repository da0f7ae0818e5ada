"""Backoff for retries and status polls, and a wait that a cancel cuts short.

The timings are values, not constants, so tests run a whole retry sequence in milliseconds.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from isolde.core.progress import CancelToken

WAIT_SLICE_S = 0.02  # how often a wait looks at the cancel token


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries in all, the first included
    base_s: float = 0.5
    factor: float = 2.0
    max_s: float = 20.0
    jitter: float = 0.25  # each delay is scaled by a random factor in [1 - jitter, 1 + jitter]
    max_retry_after_s: float = 120.0  # a longer Retry-After is reported to the user, not waited
    statuses: frozenset[int] = field(default_factory=lambda: frozenset({408, 429, 502, 503, 504}))

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed try number `attempt` (0-based)."""
        raw = min(self.base_s * self.factor**attempt, self.max_s)
        return raw * random.uniform(1 - self.jitter, 1 + self.jitter)


@dataclass(frozen=True)
class PollPolicy:
    """Status polls start quick (short jobs finish fast) and slow down for long queues."""

    initial_s: float = 0.5
    factor: float = 1.5
    max_s: float = 5.0

    def next(self, current: float | None) -> float:
        return self.initial_s if current is None else min(current * self.factor, self.max_s)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def wait(seconds: float, cancel: CancelToken | None) -> None:
    """Sleep `seconds`, raising Cancelled within WAIT_SLICE_S of a cancel."""
    deadline = time.monotonic() + max(seconds, 0.0)
    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, WAIT_SLICE_S))
