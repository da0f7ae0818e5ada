"""Autosave a moment after the user stops editing, and never much later than that.

Every edit restarts a short idle timer (IDLE_MS); a second timer, started by the first unsaved
edit, caps the wait (LATEST_MS), so steady editing is autosaved too. When either fires, the state
is serialised here on the GUI thread (cheap: the state is immutable plain data) and written by
`AutosaveWriter` on its worker thread — one write at a time, the newest text wins.

A project that became clean again (undo back to the saved state) gets its autosave deleted.
Saving and discarding call `settle`/`discard` first, so no late write brings back a stale file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from isolde.core.autosave_writer import AutosaveWriter
from isolde.core.project import LOAD, SAVE, Project
from isolde.core.recovery import autosave_text
from isolde.core.state import ProjectState

IDLE_MS = 2_000  # after the last edit
LATEST_MS = 3_000  # after the first edit not yet autosaved, however busy the user is
RETRY_MS = 300  # while a mark is being dragged


class Autosaver(QObject):
    failed = Signal(str)  # a message the user can act on

    def __init__(self, parent: QObject, busy: Callable[[], bool]) -> None:
        super().__init__(parent)
        self.writer = AutosaveWriter()
        self.idle_ms = IDLE_MS
        self.latest_ms = LATEST_MS
        self._busy = busy
        self._project: Project | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._reported: str | None = None
        self._idle = QTimer(self, singleShot=True)
        self._latest = QTimer(self, singleShot=True)
        self._idle.timeout.connect(self.write_now)
        self._latest.timeout.connect(self.write_now)
        self._check = QTimer(self, interval=250)
        self._check.timeout.connect(self._check_writer)

    def set_project(self, project: Project | None) -> None:
        """Follow `project` from now on (the previous one's pending autosave is written)."""
        if self._pending:
            self.write_now()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._project = project
        if project is not None:
            self._unsubscribe = project.subscribe(self._on_state)

    @property
    def _pending(self) -> bool:
        return self._idle.isActive() or self._latest.isActive()

    def _on_state(self, _state: ProjectState, reason: str) -> None:
        if reason in (LOAD, SAVE):
            self._stop_timers()
            return
        self._idle.start(self.idle_ms)
        if not self._latest.isActive():
            self._latest.start(self.latest_ms)

    def write_now(self) -> None:
        if self._project is not None and self._busy():
            self._idle.start(RETRY_MS)  # mid-drag: the drop is moments away
            return
        self.flush()

    def flush(self) -> None:
        """Write the autosave now, even mid-drag: the editor is about to quit."""
        project = self._project
        self._stop_timers()
        if project is None:
            return
        text = autosave_text(project.state, project.path) if project.dirty else None
        self.writer.submit(project.recovery_path, text)
        self._check.start()

    def settle(self) -> None:
        """Before saving: no autosave may land after the save removed the file."""
        self._stop_timers()
        self.writer.settle()

    def discard(self) -> None:
        """The user discarded the changes: forget them here too, autosave included."""
        self.settle()
        if self._project is not None:
            with contextlib.suppress(OSError):
                self._project.recovery_path.unlink()

    def close(self) -> None:
        self._stop_timers()
        self._check.stop()
        self.set_project(None)
        self.writer.close()

    def _stop_timers(self) -> None:
        self._idle.stop()
        self._latest.stop()

    def _check_writer(self) -> None:
        error = self.writer.last_error
        if error is not None and error != self._reported:
            self.failed.emit(error)
        self._reported = error
        if self.writer.idle:
            self._check.stop()
