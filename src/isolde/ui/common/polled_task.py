"""One piece of work on a plain worker thread whose progress a dialog polls with a timer. No Qt.

The worker gets immutable inputs and reports through plain attributes (a float and a string,
each replaced whole); the GUI thread reads them. The outcome is one of: `result` set,
`cancelled` true (the work raised Cancelled) or `error` set to a message a user can act on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from isolde.core.errors import Cancelled, IsoldeError
from isolde.core.progress import CancelToken, ProgressFn

T = TypeVar("T")


class PolledTask(Generic[T]):
    def __init__(self, work: Callable[[ProgressFn, CancelToken], T], name: str) -> None:
        self.fraction = 0.0
        self.stage = "starting"
        self.error: str | None = None
        self.result: T | None = None
        self.cancelled = False
        self._work = work
        self._token = CancelToken()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._token.cancel()

    @property
    def done(self) -> bool:
        return self._thread.ident is not None and not self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return self.done

    def _progress(self, fraction: float, stage: str) -> None:
        self.fraction, self.stage = fraction, stage

    def _run(self) -> None:
        try:
            self.result = self._work(self._progress, self._token)
        except Cancelled:
            self.cancelled = True
        except (IsoldeError, OSError, ValueError) as exc:
            self.error = str(exc)
        except Exception as exc:  # reported in the dialog rather than lost with the thread
            self.error = f"unexpected {type(exc).__name__}: {exc}"


def finished_task(
    task: PolledTask[T] | None,
    stop: Callable[[], None],
    running: Callable[[PolledTask[T]], None],
) -> PolledTask[T] | None:
    """One tick of the timer that polls `task`: the task once it has finished (the timer
    stopped through `stop`); None while it works (`running` is told how far it got) or when
    there is none (the timer stopped)."""
    if task is None:
        stop()
        return None
    if not task.done:
        running(task)
        return None
    stop()
    return task
