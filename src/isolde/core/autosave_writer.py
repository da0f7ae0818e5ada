"""Writing autosaves on a worker thread: one write at a time, and the newest text wins.

The GUI thread serialises the (immutable) project state, which is cheap, and hands the text here;
the slow part — writing and syncing the file — happens on one worker thread. A text that arrives
while a write is under way replaces any text still waiting, so a burst of edits costs at most one
extra write. `None` as the text deletes the file (the project became clean again).

No Qt: the UI reads `last_error` and `idle` from a timer; the worker never calls back into it.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from isolde.core.atomic import atomic_write_text


class AutosaveWriter:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._pending: tuple[Path, str | None] | None = None
        self._busy = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None  # the newest failure, until a write succeeds
        self.writes = 0  # files written so far (for tests and diagnostics)

    def submit(self, target: Path, text: str | None) -> None:
        """Write `text` to `target` soon (None: delete `target`), replacing any waiting write."""
        with self._cond:
            if self._closed:
                return
            self._pending = (target, text)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="isolde-autosave", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    @property
    def idle(self) -> bool:
        with self._cond:
            return self._pending is None and not self._busy

    def settle(self, *, drop: bool = True, timeout: float = 30.0) -> bool:
        """Wait until no write is under way, dropping (or, with drop=False, finishing) the
        waiting one. Call before saving or deleting the autosave, so no late write brings back
        a stale file. Returns False on timeout."""
        with self._cond:
            if drop:
                self._pending = None
            return self._cond.wait_for(
                lambda: self._pending is None and not self._busy, timeout=timeout
            )

    def close(self, timeout: float = 30.0) -> None:
        """Finish what is waiting, then stop the worker."""
        self.settle(drop=False, timeout=timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closed)
                if self._pending is None:
                    return
                target, text = self._pending
                self._pending = None
                self._busy = True
            error = _write(target, text)
            with self._cond:
                self._busy = False
                if error is None:
                    self.last_error = None
                    self.writes += text is not None
                else:
                    self.last_error = error
                self._cond.notify_all()


def _write(target: Path, text: str | None) -> str | None:
    try:
        if text is None:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(target, text)
    except OSError as e:
        return (
            f"could not autosave to {target} ({e.strerror or e}); your work is only in memory "
            "— save the project (Ctrl+S) somewhere writable"
        )
    return None
