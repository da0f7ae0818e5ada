"""A cancellable, restartable pass of work on a daemon thread, and waiting for a thread (no Qt).

The peak pyramid and the edited-peaks regions both fill arrays front to back in the background;
this is the thread, the cancel token and the error they share.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from isolde.core.errors import Cancelled
from isolde.core.progress import CancelToken


def join_thread(thread: threading.Thread | None, timeout: float | None = None) -> bool:
    """Wait up to `timeout` seconds for `thread` to end; True if it has (or there is none)."""
    if thread is not None:
        thread.join(timeout)
        return not thread.is_alive()
    return True


class BackgroundPass:
    """One pass at a time of `work(token)` on a daemon thread named `name`.

    `work` checks its token between small units of work and keeps what it finished, so a pass
    started after `cancel` resumes where the last one stopped. An exception other than
    `Cancelled` ends the pass and is kept in `error`; `after()` then runs on the thread, as it
    does when the work completes, but not after a cancel.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._thread: threading.Thread | None = None
        self._token = CancelToken()
        self._lock = threading.Lock()
        self._error: BaseException | None = None

    @property
    def error(self) -> BaseException | None:
        """Why the last pass stopped early, else None."""
        return self._error

    def start(
        self, work: Callable[[CancelToken], None], after: Callable[[], None] | None = None
    ) -> None:
        """Start a pass (no-op while one runs and is not cancelled; a cancelled one is joined
        first: it stops within one unit of work)."""
        if self._thread is not None and self._thread.is_alive():
            if not self._token.cancelled:
                return
            self._thread.join()
        self._token = CancelToken()
        self._error = None
        self._thread = threading.Thread(
            target=self._run, args=(self._token, work, after), name=self.name, daemon=True
        )
        self._thread.start()

    def cancel(self) -> None:
        """Stop the pass soon; what it finished stays. Restartable."""
        self._token.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the pass ends; True if it has (or none was started)."""
        return join_thread(self._thread, timeout)

    def _run(
        self,
        token: CancelToken,
        work: Callable[[CancelToken], None],
        after: Callable[[], None] | None,
    ) -> None:
        try:
            work(token)
        except Cancelled:
            return
        except Exception as exc:  # handed on through `error`, not lost in the thread
            with self._lock:
                self._error = exc
        if after is not None:
            after()
