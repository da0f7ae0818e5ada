"""One video export on a worker thread, polled by the Export video dialog. No Qt.

Two stages: the chosen sound (the edited file, a take's target or the remix) is rendered into a
temporary WAV by the same code as File → Export… (`export_task.run_export`), then
`isolde.video.mux.mux` writes the source's picture, copied packet for packet, with that sound.
Progress is reported as one fraction over both stages. Cancelling or failing leaves no file: the
temporary WAV is always deleted and `mux` only renames its output into place when complete.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from isolde.audio import OutputFormat
from isolde.core.progress import CancelToken, ProgressFn
from isolde.ui.common.polled_task import PolledTask
from isolde.ui.results.export_task import ExportJob, run_export
from isolde.video.mux import MuxReport, mux

AUDIO_SHARE = 0.5  # of the progress bar: rendering the sound; the rest is muxing


@dataclass(frozen=True)
class VideoExportJob:
    audio: ExportJob  # what sound; its `dest` and `fmt` are replaced by the temporary WAV's
    video: Path  # the source whose picture is copied
    dest: Path


def run_video_export(job: VideoExportJob, progress: ProgressFn, cancel: CancelToken) -> MuxReport:
    with tempfile.TemporaryDirectory(prefix="isolde-video-export-") as folder:
        wav = Path(folder) / "sound.wav"
        audio = replace(job.audio, dest=wav, fmt=OutputFormat.parse("wav:float"))

        def audio_progress(fraction: float, stage: str) -> None:
            progress(fraction * AUDIO_SHARE, f"sound: {stage}")

        def mux_progress(fraction: float, stage: str) -> None:
            progress(AUDIO_SHARE + fraction * (1 - AUDIO_SHARE), f"video: {stage}")

        run_export(audio, audio_progress, cancel)
        cancel.raise_if_cancelled()
        return mux(job.video, wav, job.dest, progress=mux_progress, cancel=cancel)


def describe_report(report: MuxReport) -> str:
    """What the user is told after an export: the file, the sound's codec, any length fix."""
    text = f"Exported {report.out_path.name} (picture copied, sound {report.audio_codec})"
    if report.padded_s > 0.0005:
        text += (
            f"; the sound was {report.padded_s:.3f} s shorter than the picture and was padded "
            "with silence at the end"
        )
    if report.trimmed_s > 0.0005:
        text += f"; {report.trimmed_s:.3f} s of sound beyond the picture was left out"
    return text + "."


class VideoExportTask(PolledTask[MuxReport]):
    def __init__(self, job: VideoExportJob) -> None:
        super().__init__(
            lambda progress, cancel: run_video_export(job, progress, cancel), "isolde-export-video"
        )
        self.job = job

    @property
    def report(self) -> MuxReport | None:
        return self.result
