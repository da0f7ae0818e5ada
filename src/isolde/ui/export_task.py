"""One export running on a worker thread, polled by the dialog. No Qt.

The worker gets an immutable project state and reports through plain attributes (a float and a
string, each replaced whole); the GUI thread reads them with a timer. A cancelled or failed
export leaves no file behind: the writer only renames its temp file into place when complete.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path

from isolde.audio import OutputFormat
from isolde.core.edits import AppliedEdit
from isolde.core.errors import Cancelled, IsoldeError
from isolde.core.progress import CancelToken, ProgressFn
from isolde.core.state import ProjectState
from isolde.jobs.export import export_state

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


class ExportTask:
    def __init__(self, job: ExportJob) -> None:
        self.job = job
        self.fraction = 0.0
        self.stage = "starting"
        self.error: str | None = None
        self.result: Path | None = None
        self.cancelled = False
        self._token = CancelToken()
        self._thread = threading.Thread(target=self._run, name="isolde-export", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._token.cancel()

    @property
    def done(self) -> bool:
        return self._thread.ident is not None and not self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return self.done

    def _progress(self, fraction: float, stage: str) -> None:
        self.fraction, self.stage = fraction, stage

    def _run(self) -> None:
        try:
            self.result = run_export(self.job, self._progress, self._token)
        except Cancelled:
            self.cancelled = True
        except (IsoldeError, OSError, ValueError) as exc:
            self.error = str(exc)
        except Exception as exc:  # reported in the dialog rather than lost with the thread
            self.error = f"unexpected {type(exc).__name__}: {exc}"
