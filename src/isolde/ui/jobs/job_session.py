"""The jobs of the open project: its durable store, the job manager, resume on open.

The manager is the source of truth for jobs; this object only decides where the store lives,
starts a manager per store, and re-emits the manager's updates (delivered by the bridge on the
GUI thread) for the panels. It never waits for a job, so nothing here can freeze the editor.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from isolde.core.errors import InputError
from isolde.core.paths import data_dir
from isolde.core.project import Project
from isolde.jobs.manager import JobManager
from isolde.jobs.record import TERMINAL, JobRecord
from isolde.jobs.store import JobStore, project_jobs_dir
from isolde.providers.base import Provider, Request
from isolde.providers.registry import get_provider
from isolde.ui.jobs.job_bridge import JobBridge

OUTPUT_FORMAT = "wav"  # float WAV: target + residual add back up to the input exactly


def jobs_dir_for(project: Project) -> Path:
    """Where a project's job store lives: `X-jobs/` beside `X.isolde`.

    An unsaved project has no folder, so its jobs go to a folder in the app's data directory
    named by its recording's content: the next unsaved session on the same recording resumes
    them (a paid result is never orphaned), and another recording never shows them.
    """
    if project.path is not None:
        return project_jobs_dir(project.path)
    media = project.state.media
    if media is None or not media.content_hash:
        return data_dir() / "jobs" / "untitled"
    key = "".join(c for c in media.content_hash if c.isalnum())[-24:]
    return data_dir() / "jobs" / f"untitled-{key}"


class JobSession(QObject):
    record_changed = Signal(object)  # a JobRecord, on the GUI thread
    records_reset = Signal()  # another store: reread `records()`
    finished = Signal(object)  # a watched job reached a terminal state (done, failed, ...)
    message = Signal(str)  # for the status bar

    def __init__(
        self,
        bridge: JobBridge,
        providers: Callable[[str], Provider] = get_provider,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.providers = providers
        self.manager: JobManager | None = None
        # Jobs started or resumed in this session: their take goes into the project when done.
        self._watching: set[str] = set()
        # Managers of projects closed while their jobs ran: kept so the jobs can finish.
        self._retired: list[JobManager] = []
        bridge.record_arrived.connect(self._arrived)

    # -- the store ------------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        root = None if project is None else jobs_dir_for(project)
        if self.manager is not None and root == self.manager.store.root:
            self.records_reset.emit()  # the same project reopened: its jobs carry on
            return
        if self.manager is not None:
            self._retired.append(self.manager)
        self.manager = None
        self._watching.clear()
        if root is not None:
            manager = JobManager(JobStore(root), providers=self.providers)
            manager.subscribe(self.bridge.listener(manager))
            self.manager = manager
            resumed = manager.resume()
            self._watching.update(r.id for r in resumed)
            self._report_resume(manager, len(resumed))
        self.records_reset.emit()

    def _report_resume(self, manager: JobManager, resumed: int) -> None:
        parts = []
        if resumed:
            parts.append(f"resumed {resumed} unfinished job{'s' * (resumed != 1)}")
        damaged = manager.store.unreadable
        if damaged:
            parts.append(
                f"{len(damaged)} job file{'s' * (len(damaged) != 1)} in {manager.store.root} "
                "could not be read and were left as they are"
            )
        if parts:
            self.message.emit("Jobs: " + "; ".join(parts))

    @property
    def root(self) -> Path | None:
        return None if self.manager is None else self.manager.store.root

    # -- queries --------------------------------------------------------------------------------
    def records(self) -> list[JobRecord]:
        return [] if self.manager is None else self.manager.records()

    def get(self, job_id: str) -> JobRecord | None:
        return None if self.manager is None else self.manager.get(job_id)

    # -- commands -------------------------------------------------------------------------------
    def submit(
        self,
        provider_name: str,
        request: Request,
        out_dir: Path,
        *,
        label: str,
        cost_estimate_usd: float | None,
        job_id: str | None = None,
    ) -> JobRecord:
        manager = self._require()
        record = manager.submit(
            provider_name,
            request,
            out_dir,
            OUTPUT_FORMAT,
            label=label,
            cost_estimate_usd=cost_estimate_usd,
            job_id=job_id,
        )
        self._watching.add(record.id)
        return record

    def cancel(self, job_id: str) -> JobRecord:
        return self._require().cancel(job_id)

    def retry(self, job_id: str, out_dir: Path) -> JobRecord:
        record = self._require().retry(job_id, out_dir)
        self._watching.add(record.id)
        return record

    def managers(self) -> list[JobManager]:
        return [*self._retired, *([self.manager] if self.manager else [])]

    def _require(self) -> JobManager:
        if self.manager is None:
            raise InputError("open a recording or a project first")
        return self.manager

    # -- updates from the bridge ------------------------------------------------------------------
    def _arrived(self, source: object, record: JobRecord) -> None:
        if source is not self.manager:
            return  # a closed project's job: it still finishes and is kept in that store
        self.record_changed.emit(record)
        if record.state in TERMINAL and record.id in self._watching:
            self._watching.discard(record.id)
            self.finished.emit(record)
