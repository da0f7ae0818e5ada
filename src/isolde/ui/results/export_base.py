"""What File → Export… and File → Export video… share: the file row, the progress bar and
status line, Export/Close buttons, the take/range choices, and running one `PolledTask` that
the dialog polls (Close becomes Cancel while it runs; cancelling leaves no file behind).

A dialog builds its own choice widgets, then calls `_build(rows, ...)`, and supplies `_browse`,
`_new_task(job)` and `_succeeded(result)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from isolde.core.errors import IsoldeError
from isolde.core.takes import Take
from isolde.ui.common.folders import remember_folder
from isolde.ui.common.polled_task import PolledTask
from isolde.ui.results.apply_range import chosen_range, whole_file
from isolde.ui.results.results import Results

POLL_MS = 50


class ExportDialogBase(QDialog):
    SHOW_STAGE = False  # show the task's stage next to the percentage while it runs

    def __init__(self, results: Results, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.results = results
        self.task: PolledTask[Any] | None = None
        self.last_result: Path | None = None
        self._auto_path = ""

    def _build(
        self, rows: list[tuple[str, QWidget | QLayout]], *, export_name: str, status: str = ""
    ) -> None:
        """The file row, progress, status and buttons under `rows`; the poll timer."""
        self.path = QLineEdit(self)
        self.path.setAccessibleName("Export file")
        browse = QPushButton("Browse…", self)
        browse.setAccessibleName("Choose the export file")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Export progress")
        self.progress.setRange(0, 1000)
        self.progress.setFormat("%p%")
        self.status = QLabel(status, self)
        self.status.setAccessibleName("Export status")
        self.status.setWordWrap(True)

        form = QFormLayout()
        for label, field in [*rows, ("File", path_row)]:
            form.addRow(label, field)
        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.setAccessibleName(export_name)
        self.export_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self.cancel_or_close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)

    # -- what a dialog supplies -------------------------------------------------------------
    def _browse(self) -> None:
        raise NotImplementedError

    def job(self) -> Any:
        """The job to run (it has a `dest` path); IsoldeError when it cannot be made."""
        raise NotImplementedError

    def _new_task(self, job: Any) -> PolledTask[Any]:
        raise NotImplementedError

    def _succeeded(self, result: Any) -> None:
        raise NotImplementedError

    # -- choices ----------------------------------------------------------------------------
    def _current_take(self) -> Take | None:
        project, take_id = self.results.project, self.take.currentData()
        return project.state.take(take_id) if project and take_id else None

    def _set_choices(self, what: QComboBox, kinds: list[str], texts: dict[str, str]) -> None:
        """Offer `kinds` in `what` (keeping the current one if it is offered), then the ranges:
        the chosen range, if any, and the whole file."""
        keep = what.currentData()
        what.blockSignals(True)
        what.clear()
        for kind in kinds:
            what.addItem(texts[kind], kind)
        what.setCurrentIndex(max(0, what.findData(keep)))
        what.blockSignals(False)
        self.range.clear()
        project, edit_state = self.results.project, self.results.edit_state
        if project is not None:
            picked = chosen_range(project.state, edit_state.selected, edit_state.in_out_range())
            if picked is not None:
                self.range.addItem(f"{picked.what}: {picked.start:.3f}–{picked.end:.3f} s", picked)
        duration = self.results.source.duration if self.results.source else 1.0
        self.range.addItem("Whole file", whole_file(duration))

    def _suggest_path(self, folder: Path, stem: str, what: str, suffix: str) -> None:
        """Name the file after the choices while it is still the suggested name; a typed name
        only gets the suffix."""
        current = self.path.text().strip()
        if not current or current == self._auto_path:
            self._auto_path = str(folder / f"{stem}-{what}{suffix}")
            self.path.setText(self._auto_path)
        else:
            self.path.setText(str(Path(current).with_suffix(suffix)))

    # -- running ----------------------------------------------------------------------------
    def start(self) -> None:
        if self.task is not None and not self.task.done:
            return
        try:
            job = self.job()
        except IsoldeError as exc:
            self.status.setText(f"Cannot export: {exc}")
            return
        if not job.dest.parent.is_dir():
            self.status.setText(f"Cannot export: the folder {job.dest.parent} does not exist")
            return
        self.task = self._new_task(job)
        self.task.start()
        self.export_button.setEnabled(False)
        self.close_button.setText("Cancel")
        self.status.setText(f"Exporting to {job.dest.name}…")
        self._timer.start()

    def cancel_or_close(self) -> None:
        if self.task is not None and not self.task.done:
            self.task.cancel()
            self.status.setText("Cancelling…")
            return
        self.reject()

    def _poll(self) -> None:
        task = self.task
        if task is None:
            return
        self.progress.setValue(round(task.fraction * 1000))
        if not task.done:
            if self.SHOW_STAGE:
                self.progress.setFormat(f"%p% — {task.stage}")
            return
        self._timer.stop()
        self.progress.setFormat("%p%")
        self.export_button.setEnabled(True)
        self.close_button.setText("Close")
        if task.cancelled:
            self.progress.setValue(0)
            self.status.setText("Export cancelled; no file was written.")
        elif task.error is not None:
            self.status.setText(f"Export failed: {task.error}")
        elif task.result is not None:
            self._succeeded(task.result)
            if self.last_result is not None:
                remember_folder(self.last_result)

    def reject(self) -> None:
        if self.task is not None and not self.task.done:
            self.task.cancel()
            self.task.wait(2.0)
        super().reject()
