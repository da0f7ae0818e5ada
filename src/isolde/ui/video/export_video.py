"""File → Export video…: the source video's picture, copied without re-encoding, with the sound
the user chooses — the edited file (every applied edit), a take's target, or a take's remix at
the current gains over the chosen range — as AAC in MP4, PCM in MOV or FLAC in MKV.

The export runs on a worker thread (`export_video_task`); this dialog (`export_base`) polls its
progress, can cancel it (no file is left behind) and says what the muxer did about a length
mismatch.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFileDialog, QWidget

from isolde.audio import OutputFormat
from isolde.core.errors import IsoldeError
from isolde.ui.common.folders import export_folder
from isolde.ui.results.apply_range import edit_for
from isolde.ui.results.export_base import ExportDialogBase
from isolde.ui.results.export_task import ExportJob
from isolde.ui.results.results import Results
from isolde.ui.results.take_info import take_title
from isolde.ui.video.export_video_task import VideoExportJob, VideoExportTask, describe_report
from isolde.video.mux import MuxReport

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


class ExportVideoDialog(ExportDialogBase):
    SHOW_STAGE = True

    def __init__(self, results: Results, video: Path, parent: QWidget | None = None) -> None:
        super().__init__(results, "Export video", parent)
        self.video = Path(video)
        self.task: VideoExportTask | None = None

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
        rows = [
            ("Sound", self.what),
            ("Take", self.take),
            ("Range", self.range),
            ("File type", self.container),
        ]
        self._build(
            rows,
            export_name="Start the video export",
            status=f"The picture of {self.video.name} is copied as it is.",
        )

        self.take.currentIndexChanged.connect(self._fill_whats)
        self.what.currentIndexChanged.connect(self._update)
        self.container.currentIndexChanged.connect(self._update)
        self._fill_whats()
        self.resize(560, 0)

    # -- choices --------------------------------------------------------------------------
    def _fill_whats(self) -> None:
        kinds = ["edited"] + (["target", "remix"] if self._current_take() is not None else [])
        self._set_choices(self.what, kinds, WHAT_TEXT)
        self._update()

    def _update(self) -> None:
        what = self.what.currentData()
        self.take.setEnabled(self.take.count() > 0 and what != "edited")
        self.range.setEnabled(what == "remix")
        suffix = str(self.container.currentData())
        self._suggest_path(export_folder(self.video), self.video.stem, what, suffix)

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
    def _new_task(self, job: VideoExportJob) -> VideoExportTask:
        return VideoExportTask(job)

    def _succeeded(self, result: MuxReport) -> None:
        self.progress.setValue(1000)
        self.last_result = result.out_path
        self.status.setText(describe_report(result))
