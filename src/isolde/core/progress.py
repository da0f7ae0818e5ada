"""Progress reporting and cancellation shared by every long operation (no Qt)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from isolde.core.errors import Cancelled

# fraction in [0, 1] and a short human message
ProgressFn = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """Progress sink for callers that do not report."""


class CancelToken:
    """Thread-safe cancellation flag, checked by workers between small units of work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()
