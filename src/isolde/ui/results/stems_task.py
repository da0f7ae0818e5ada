"""Export stems from the Layers panel: `jobs.stems.export_stems` on a worker thread, polled by
a timer; the status bar says how far it got and where the files went."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from isolde.audio import OutputFormat
from isolde.core.state import ProjectState
from isolde.ui.common.polled_task import PolledTask, finished_task

POLL_MS = 100
STEMS_FORMAT = OutputFormat()  # 32-bit float WAV: the stems still add up to the source exactly


class StemsRunner(QObject):
    finished = Signal(object)  # the StemsResult, or None when it failed or was cancelled

    def __init__(self, message: Callable[[str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.message = message
        self.task: PolledTask | None = None
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def running(self) -> bool:
        return self.task is not None

    def start(self, state: ProjectState, folder: Path, fmt: OutputFormat = STEMS_FORMAT) -> None:
        if self.task is not None:
            self.message("Stems are being exported already")
            return

        def work(progress, cancel):  # type: ignore[no-untyped-def]
            from isolde.jobs.stems import export_stems  # numpy and writers: only when used

            return export_stems(state, folder, fmt, progress=progress, cancel=cancel)

        self.task = PolledTask(work, "isolde-stems")
        self.task.start()
        self._timer.start()
        self.message(f"Exporting stems into {folder}…")

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _running(self, task: PolledTask) -> None:
        self.message(f"Exporting stems: {task.fraction:.0%} ({task.stage})")

    def _poll(self) -> None:
        task = finished_task(self.task, self._timer.stop, self._running)
        if task is None:
            return
        self.task = None
        if task.error:
            self.message(f"Export stems: {task.error}")
            self.finished.emit(None)
        elif task.cancelled or task.result is None:
            self.message("Export stems: cancelled")
            self.finished.emit(None)
        else:
            result = task.result
            self.message(
                f"Exported {len(result.stems)} stems, a mix and {result.manifest.name} "
                f"into {result.folder}"
            )
            self.finished.emit(result)
