"""One piece of mask work (tracking, the cloud assist) on a plain worker thread, reported back on
the GUI thread.

The worker gets only immutable inputs and never touches Qt: it calls `progress(fraction, text)`,
which stores the latest value under a lock, and leaves its outcome in a slot. A timer on the GUI
thread reads both and emits the signals, so every slot runs on the GUI thread and may edit the
project.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from isolde.core.background_pass import join_thread
from isolde.core.errors import Cancelled, IsoldeError
from isolde.core.progress import CancelToken, ProgressFn

POLL_MS = 40
Work = Callable[[ProgressFn, CancelToken], Any]


class BackgroundTask(QObject):
    progressed = Signal(float, str)
    succeeded = Signal(object)  # what the work returned
    failed = Signal(str)  # a message a user can act on
    cancelled = Signal()
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._token = CancelToken()
        self._progress: tuple[float, str] | None = None
        self._outcome: tuple[str, Any] | None = None
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)
        self.what = ""
        self._done: Callable[[Any], None] | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, what: str, work: Work, done: Callable[[Any], None]) -> bool:
        """Run `work(progress, cancel)` on a worker, then `done(result)` on the GUI thread;
        False when another task still runs."""
        if self._thread is not None:
            return False
        self.what = what
        self._done = done
        self._token = CancelToken()
        self._progress, self._outcome = (0.0, what), None
        token = self._token

        def report(fraction: float, text: str) -> None:
            with self._lock:
                self._progress = (fraction, text)

        def run() -> None:
            try:
                outcome: tuple[str, Any] = ("ok", work(report, token))
            except Cancelled:
                outcome = ("cancelled", None)
            except IsoldeError as exc:
                outcome = ("failed", str(exc))
            except Exception as exc:  # a bug: say so, keep the editor running
                outcome = ("failed", f"unexpected {type(exc).__name__}: {exc}")
            with self._lock:
                self._outcome = outcome

        self._thread = threading.Thread(target=run, name=f"isolde-{what}", daemon=True)
        self._thread.start()
        self._timer.start()
        self.running_changed.emit(True)
        return True

    def cancel(self) -> None:
        self._token.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker ends (tests, closing); the outcome still arrives by `_poll`."""
        return join_thread(self._thread, timeout)

    def _poll(self) -> None:
        with self._lock:
            progress, self._progress = self._progress, None
            outcome = self._outcome
        if progress is not None:
            self.progressed.emit(*progress)
        if outcome is None:
            return
        self._timer.stop()
        self._thread = None
        self.running_changed.emit(False)
        kind, value = outcome
        done, self._done = self._done, None
        if kind == "ok":
            if done is not None:
                done(value)
            self.succeeded.emit(value)
        elif kind == "cancelled":
            self.cancelled.emit()
        else:
            self.failed.emit(value)
