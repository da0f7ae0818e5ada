"""File → Export…: the edited file, a take's remix at the current gains, or a take's target,
residual or repaired audio; WAV 16/24-bit or 32-bit float, FLAC, MP3 at a bitrate; any rate.

The export runs on a worker thread (`export_task`); this dialog (`export_base`) polls its
progress and can cancel it, which leaves no file behind.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFileDialog, QWidget

from isolde.audio import OutputFormat
from isolde.audio.writer import MP3_RATES
from isolde.core.errors import IsoldeError
from isolde.ui.common.folders import export_folder
from isolde.ui.results.apply_range import edit_for
from isolde.ui.results.export_base import ExportDialogBase
from isolde.ui.results.export_task import ExportJob, ExportTask
from isolde.ui.results.results import Results
from isolde.ui.results.take_info import take_title

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


class ExportDialog(ExportDialogBase):
    def __init__(self, results: Results, parent: QWidget | None = None) -> None:
        super().__init__(results, "Export", parent)
        self.task: ExportTask | None = None
        state = results.project.state if results.project else None
        source = results.source
        self._source_rate = source.sample_rate if source else 48_000
        self._stem = Path(source.info.path).stem if source else "export"

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
        rows = [
            ("Export", self.what),
            ("Take", self.take),
            ("Range", self.range),
            ("Format", self.format),
            ("MP3 bitrate", self.bitrate),
            ("Sample rate", self.rate),
        ]
        self._build(rows, export_name="Start the export")

        self.take.currentIndexChanged.connect(self._fill_whats)
        self.what.currentIndexChanged.connect(self._update)
        self.format.currentIndexChanged.connect(self._format_changed)
        self._fill_whats()
        self._format_changed()
        self.resize(520, 0)

    # -- choices --------------------------------------------------------------------------
    def _fill_whats(self) -> None:
        take = self._current_take()
        kinds = ["edited"]
        if take is not None:
            kinds += ["inpainted"] if take.kind == "inpaint" else ["remix", "target", "residual"]
        self._set_choices(self.what, kinds, WHAT_TEXT)
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
        source = Path(self.results.source.info.path) if self.results.source else None
        self._suggest_path(export_folder(source), self._stem, what, extension)

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
    def _new_task(self, job: ExportJob) -> ExportTask:
        return ExportTask(job)

    def _succeeded(self, result: Path) -> None:
        self.last_result = result
        self.status.setText(f"Exported {result}")
