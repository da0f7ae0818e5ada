"""One export running on a worker thread, polled by the dialog. No Qt.

The worker (`polled_task.PolledTask`) gets an immutable project state; the dialog polls its
progress with a timer. A cancelled or failed export leaves no file behind: the writer only
renames its temp file into place when complete.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from isolde.audio import OutputFormat
from isolde.core.edits import AppliedEdit
from isolde.core.errors import IsoldeError
from isolde.core.progress import CancelToken, ProgressFn
from isolde.core.state import ProjectState
from isolde.jobs.export import export_state
from isolde.ui.common.polled_task import PolledTask

WHATS = ("edited", "remix", "target", "residual", "inpainted")


@dataclass(frozen=True)
class ExportJob:
    state: ProjectState
    dest: Path
    fmt: OutputFormat
    what: str  # one of WHATS
    take_id: str | None = None
    remix: AppliedEdit | None = None  # what="remix": the take over its range at the gains


def run_export(job: ExportJob, progress: ProgressFn, cancel: CancelToken) -> Path:
    if job.what == "remix":
        if job.remix is None:
            raise IsoldeError("a remix export needs the remix to render")
        # The source with this one remix over its range; other applied edits are left out.
        state = replace(job.state, edits=(job.remix,))
        return export_state(state, job.dest, job.fmt, progress=progress, cancel=cancel)
    return export_state(
        job.state,
        job.dest,
        job.fmt,
        what=job.what,
        take_id=job.take_id,
        progress=progress,
        cancel=cancel,
    )


class ExportTask(PolledTask[Path]):
    def __init__(self, job: ExportJob) -> None:
        super().__init__(
            lambda progress, cancel: run_export(job, progress, cancel), "isolde-export"
        )
        self.job = job
