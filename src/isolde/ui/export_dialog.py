"""File → Export…: the edited file, a take's remix at the current gains, or a take's target,
residual or repaired audio; WAV 16/24-bit or 32-bit float, FLAC, MP3 at a bitrate; any rate.

The export runs on a worker thread (`export_task`); this dialog polls its progress and can
cancel it, which leaves no file behind.
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
from isolde.audio.writer import MP3_RATES
from isolde.core.errors import IsoldeError
from isolde.core.takes import Take
from isolde.ui.apply_range import chosen_range, edit_for, whole_file
from isolde.ui.export_task import ExportJob, ExportTask
from isolde.ui.results import Results
from isolde.ui.take_info import take_title

FORMATS = (
    ("WAV 16-bit", "wav:16"),
    ("WAV 24-bit", "wav:24"),
    ("WAV 32-bit float", "wav:float"),
    ("FLAC 16-bit", "flac:16"),
    ("FLAC 24-bit", "flac:24"),
    ("MP3", "mp3"),
)
BITRATES = (128, 160, 192, 256, 320)
RATES = (8000, 16000, 22050, 32000, 44100, 48000, 88200, 96000)
WHAT_TEXT = {
    "edited": "Edited file (every applied edit)",
    "remix": "Remix of the take (current gains)",
    "target": "Target of the take",
    "residual": "Residual of the take",
    "inpainted": "Repaired audio of the take",
}
POLL_MS = 50


class ExportDialog(QDialog):
    def __init__(self, results: Results, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.results = results
        self.task: ExportTask | None = None
        self.last_result: Path | None = None
        state = results.project.state if results.project else None
        source = results.source
        self._source_rate = source.sample_rate if source else 48_000
        self._stem = Path(source.info.path).stem if source else "export"
        self._auto_path = ""

        self.what = QComboBox(self)
        self.what.setAccessibleName("What to export")
        self.take = QComboBox(self)
        self.take.setAccessibleName("Take to export")
        heard = results.heard_take
        for take in state.takes if state else ():
            self.take.addItem(take_title(take), take.id)
        if heard is not None:
            self.take.setCurrentIndex(max(0, self.take.findData(heard.id)))
        self.range = QComboBox(self)
        self.range.setAccessibleName("Remix range")
        self.format = QComboBox(self)
        self.format.setAccessibleName("File format")
        for text, spec in FORMATS:
            self.format.addItem(text, spec)
        self.format.setCurrentIndex(2)
        self.bitrate = QComboBox(self)
        self.bitrate.setAccessibleName("MP3 bitrate")
        for kbps in BITRATES:
            self.bitrate.addItem(f"{kbps} kbps", kbps)
        self.bitrate.setCurrentIndex(BITRATES.index(192))
        self.rate = QComboBox(self)
        self.rate.setAccessibleName("Sample rate")
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
        self.status = QLabel(self)
        self.status.setAccessibleName("Export status")
        self.status.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Export", self.what)
        form.addRow("Take", self.take)
        form.addRow("Range", self.range)
        form.addRow("Format", self.format)
        form.addRow("MP3 bitrate", self.bitrate)
        form.addRow("Sample rate", self.rate)
        form.addRow("File", path_row)
        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.setAccessibleName("Start the export")
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
        self.format.currentIndexChanged.connect(self._format_changed)
        self._fill_whats()
        self._format_changed()
        self.resize(520, 0)

    # -- choices --------------------------------------------------------------------------
    def _current_take(self) -> Take | None:
        project, take_id = self.results.project, self.take.currentData()
        return project.state.take(take_id) if project and take_id else None

    def _fill_whats(self) -> None:
        take = self._current_take()
        kinds = ["edited"]
        if take is not None:
            kinds += ["inpainted"] if take.kind == "inpaint" else ["remix", "target", "residual"]
        keep = self.what.currentData()
        self.what.blockSignals(True)
        self.what.clear()
        for kind in kinds:
            self.what.addItem(WHAT_TEXT[kind], kind)
        self.what.setCurrentIndex(max(0, self.what.findData(keep)))
        self.what.blockSignals(False)
        self.range.clear()
        project, edit_state = self.results.project, self.results.edit_state
        picked = (
            chosen_range(project.state, edit_state.selected, edit_state.in_out_range())
            if project
            else None
        )
        if picked is not None:
            self.range.addItem(f"{picked.what}: {picked.start:.3f}–{picked.end:.3f} s", picked)
        duration = self.results.source.duration if self.results.source else 1.0
        self.range.addItem("Whole file", whole_file(duration))
        self._update()

    def _format_changed(self) -> None:
        mp3 = self.format.currentData() == "mp3"
        keep = self.rate.currentData()
        self.rate.clear()
        if not mp3 or self._source_rate in MP3_RATES:
            self.rate.addItem(f"Same as the recording ({self._source_rate} Hz)", None)
        for rate in RATES:
            if not mp3 or rate in MP3_RATES:
                self.rate.addItem(f"{rate} Hz", rate)
        self.rate.setCurrentIndex(max(0, self.rate.findData(keep)))
        self._update()

    def _update(self) -> None:
        what = self.what.currentData()
        self.take.setEnabled(self.take.count() > 0 and what != "edited")
        self.range.setEnabled(what == "remix")
        self.bitrate.setEnabled(self.format.currentData() == "mp3")
        extension = "." + str(self.format.currentData()).split(":")[0]
        current = self.path.text().strip()
        if not current or current == self._auto_path:
            # Still the name we suggested: follow the choices. A typed name only gets the suffix.
            folder = Path(self.results.source.info.path).parent if self.results.source else Path()
            self._auto_path = str(folder / f"{self._stem}-{what}{extension}")
            self.path.setText(self._auto_path)
        else:
            self.path.setText(str(Path(current).with_suffix(extension)))

    def output_format(self) -> OutputFormat:
        spec = str(self.format.currentData())
        return OutputFormat.parse(
            f"mp3:{self.bitrate.currentData()}" if spec == "mp3" else spec,
            sample_rate=self.rate.currentData(),
        )

    def job(self) -> ExportJob:
        project = self.results.project
        if project is None or self.results.source is None:
            raise IsoldeError("open a recording first")
        what, take = self.what.currentData(), self._current_take()
        remix = None
        if what == "remix" and take is not None:
            duration = self.results.source.duration
            remix = edit_for(take, self.results.listening, self.range.currentData(), duration)
        dest = Path(self.path.text().strip()).expanduser()
        take_id = take.id if take else None
        return ExportJob(project.state, dest, self.output_format(), what, take_id, remix)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text())
        if path:
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
        self.task = ExportTask(job)
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
            return
        self._timer.stop()
        self.export_button.setEnabled(True)
        self.close_button.setText("Close")
        if task.cancelled:
            self.progress.setValue(0)
            self.status.setText("Export cancelled; no file was written.")
        elif task.error is not None:
            self.status.setText(f"Export failed: {task.error}")
        else:
            self.last_result = task.result
            self.status.setText(f"Exported {task.result}")

    def reject(self) -> None:
        if self.task is not None and not self.task.done:
            self.task.cancel()
            self.task.wait(2.0)
        super().reject()
