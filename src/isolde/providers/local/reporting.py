"""Turns the drivers' "n samples done" steps into cancel checks and progress events."""

from __future__ import annotations

import time

from isolde.core.progress import CancelToken
from isolde.providers.base import EventFn, JobEvent

EVENT_INTERVAL_S = 0.05  # at most ~20 progress events a second, however small the steps


class Reporter:
    def __init__(self, on_event: EventFn, cancel: CancelToken | None, total: int) -> None:
        self.on_event = on_event
        self.cancel = cancel
        self.total = max(total, 1)
        self.done = 0
        self.message = ""
        self._last = 0.0

    def check(self) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()

    def phase(self, message: str) -> None:
        """Start a named stretch of work; the next progress events carry this message."""
        self.check()
        self.message = message
        self._emit()

    def log(self, message: str) -> None:
        self.on_event(JobEvent("log", message))

    def step(self, samples: int) -> None:
        self.done += samples
        self.check()
        if time.monotonic() - self._last >= EVENT_INTERVAL_S:
            self._emit()

    def _emit(self) -> None:
        self._last = time.monotonic()
        self.on_event(JobEvent("running", self.message, min(self.done / self.total, 1.0)))
