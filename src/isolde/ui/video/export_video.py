"""File → Export video…: the source video's picture, copied without re-encoding, with the sound
the user chooses — the edited file (every applied edit), a take's target, or a take's remix at
the current gains over the chosen range — as AAC in MP4, PCM in MOV or FLAC in MKV.

The export runs on a worker thread (`export_video_task`); this dialog polls its progress, can
cancel it (no file is left behind) and says what the muxer did about a length mismatch.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from isolde.audio import OutputFormat
from isolde.core.errors import IsoldeError
from isolde.core.takes import Take
from isolde.ui.apply_range import chosen_range, edit_for, whole_file
from isolde.ui.export_task import ExportJob
from isolde.ui.results import Results
from isolde.ui.take_info import take_title
from isolde.ui.video.export_video_task import VideoExportJob, VideoExportTask, describe_report

CONTAINERS = (
    ("MP4 — sound as AAC", ".mp4"),
    ("MOV — sound as PCM (lossless)", ".mov"),
    ("MKV — sound as FLAC (lossless)", ".mkv"),
)
WHAT_TEXT = {
    "edited": "Edited sound (every applied edit)",
    "target": "Target of the take",
    "remix": "Remix of the take (current gains)",
}
POLL_MS = 50


class ExportVideoDialog(QDialog):
    def __init__(self, results: Results, video: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export video")
        self.results = results
        self.video = Path(video)
        self.task: VideoExportTask | None = None
        self.last_result: Path | None = None
        self._auto_path = ""

        self.what = QComboBox(self)
        self.what.setAccessibleName("Sound to put in the video")
        self.take = QComboBox(self)
        self.take.setAccessibleName("Take")
        state = results.project.state if results.project else None
        for take in state.takes if state else ():
            if take.kind != "inpaint":
                self.take.addItem(take_title(take), take.id)
        heard = results.heard_take
        if heard is not None:
            self.take.setCurrentIndex(max(0, self.take.findData(heard.id)))
        self.range = QComboBox(self)
        self.range.setAccessibleName("Remix range")
        self.container = QComboBox(self)
        self.container.setAccessibleName("Video file type")
        for text, suffix in CONTAINERS:
            self.container.addItem(text, suffix)
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
        self.status = QLabel(f"The picture of {self.video.name} is copied as it is.", self)
        self.status.setAccessibleName("Export status")
        self.status.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Sound", self.what)
        form.addRow("Take", self.take)
        form.addRow("Range", self.range)
        form.addRow("File type", self.container)
        form.addRow("File", path_row)
        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setAccessibleName("Start the video export")
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self.cancel_or_close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)
        self.take.currentIndexChanged.connect(self._fill_whats)
        self.what.currentIndexChanged.connect(self._update)
        self.container.currentIndexChanged.connect(self._update)
        self._fill_whats()
        self.resize(560, 0)

    # -- choices --------------------------------------------------------------------------
    def _current_take(self) -> Take | None:
        project, take_id = self.results.project, self.take.currentData()
        return project.state.take(take_id) if project and take_id else None

    def _fill_whats(self) -> None:
        kinds = ["edited"] + (["target", "remix"] if self._current_take() is not None else [])
        keep = self.what.currentData()
        self.what.blockSignals(True)
        self.what.clear()
        for kind in kinds:
            self.what.addItem(WHAT_TEXT[kind], kind)
        self.what.setCurrentIndex(max(0, self.what.findData(keep)))
        self.what.blockSignals(False)
        self.range.clear()
        project, edit_state = self.results.project, self.results.edit_state
        if project is not None:
            picked = chosen_range(project.state, edit_state.selected, edit_state.in_out_range())
            if picked is not None:
                self.range.addItem(f"{picked.what}: {picked.start:.3f}–{picked.end:.3f} s", picked)
        duration = self.results.source.duration if self.results.source else 1.0
        self.range.addItem("Whole file", whole_file(duration))
        self._update()

    def _update(self) -> None:
        what = self.what.currentData()
        self.take.setEnabled(self.take.count() > 0 and what != "edited")
        self.range.setEnabled(what == "remix")
        suffix = str(self.container.currentData())
        current = self.path.text().strip()
        if not current or current == self._auto_path:
            self._auto_path = str(self.video.parent / f"{self.video.stem}-{what}{suffix}")
            self.path.setText(self._auto_path)
        else:
            self.path.setText(str(Path(current).with_suffix(suffix)))

    def job(self) -> VideoExportJob:
        project, source = self.results.project, self.results.source
        if project is None or source is None:
            raise IsoldeError("open a video first")
        what, take = self.what.currentData(), self._current_take()
        remix = None
        if what == "remix" and take is not None:
            rng = self.range.currentData()
            remix = edit_for(take, self.results.listening, rng, source.duration)
        dest = Path(self.path.text().strip()).expanduser()
        take_id = take.id if take is not None and what != "edited" else None
        # The sound goes to a temporary float WAV first (the task sets where).
        fmt = OutputFormat.parse("wav:float")
        audio = ExportJob(project.state, dest, fmt, what, take_id, remix)
        return VideoExportJob(audio, self.video, dest)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export video to", self.path.text(), "Video (*.mp4 *.mov *.mkv)"
        )
        if path:
            suffix = Path(path).suffix.lower()
            index = self.container.findData(suffix)
            if index >= 0:
                self.container.setCurrentIndex(index)
            self.path.setText(path)
            self._update()

    # -- running --------------------------------------------------------------------------
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
        self.task = VideoExportTask(job)
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
        elif task.report is not None:
            self.progress.setValue(1000)
            self.last_result = task.report.out_path
            self.status.setText(describe_report(task.report))

    def reject(self) -> None:
        if self.task is not None and not self.task.done:
            self.task.cancel()
            self.task.wait(2.0)
        super().reject()
