"""The durable job store: one JSON file per job, each write atomic and fsynced.

It lives in the project's folder (`<project>-jobs/`) or, for CLI runs without a project, in the
app's data folder. Many threads update it; one lock per store keeps each job's file consistent.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import platformdirs

from isolde.core.atomic import atomic_write_text
from isolde.core.errors import InputError
from isolde.jobs.record import JobRecord

try:
    import fcntl
except ImportError:  # Windows: no advisory locks here; one process per job is then on trust
    fcntl = None  # type: ignore[assignment]


class JobBusyError(InputError):
    """The job is being run by another live Isolde process (the editor, a command)."""


def default_jobs_dir() -> Path:
    base = os.environ.get("ISOLDE_DATA_DIR") or platformdirs.user_data_dir("isolde")
    return Path(base) / "jobs"


class JobStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_jobs_dir()
        self._lock = threading.Lock()
        self.unreadable: list[tuple[Path, str]] = []  # files skipped by the last load, and why

    def path_of(self, job_id: str) -> Path:
        return self.root / f"{job_id}.json"

    def pieces_dir(self, job_id: str) -> Path:
        """Where a job sent in pieces keeps its finished pieces' outputs until it is done."""
        return self.root / f"{job_id}-pieces"

    @contextlib.contextmanager
    def claim(self, job_id: str) -> Iterator[None]:
        """Hold the job for this process while it runs; JobBusyError when another live process
        holds it. The lock (`flock` on `<id>.lock`) dies with its process: a crash never
        leaves a job held."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"{job_id}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
                    raise JobBusyError(
                        f"job {job_id} is being run by another Isolde process (pid {holder}); "
                        "wait for it to finish, or stop that process and run this again"
                    ) from None
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            yield
        finally:
            os.close(fd)  # releases the lock

    def busy(self, job_id: str) -> bool:
        """True when another live process is running the job."""
        try:
            with self.claim(job_id):
                return False
        except JobBusyError:
            return True

    def put(self, record: JobRecord) -> JobRecord:
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path_of(record.id), json.dumps(record.to_json(), indent=1))
        return record

    def get(self, job_id: str) -> JobRecord | None:
        path = self.path_of(job_id)
        if not path.exists():
            return None
        return JobRecord.from_json(json.loads(path.read_text(encoding="utf-8")))

    def all(self) -> list[JobRecord]:
        """Every readable job, oldest first. A damaged file is skipped and listed, never lost."""
        records, self.unreadable = [], []
        if not self.root.is_dir():
            return []
        for path in sorted(self.root.glob("*.json")):
            try:
                records.append(JobRecord.from_json(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                self.unreadable.append((path, str(exc)))
        return sorted(records, key=lambda r: r.created_at)

    def find(self, prefix: str) -> JobRecord | None:
        """A job by id or unique id prefix (what a person types)."""
        matches = [r for r in self.all() if r.id.startswith(prefix)]
        return matches[0] if len(matches) == 1 else None


def project_jobs_dir(project_file: Path) -> Path:
    """Where a saved project keeps its jobs: `<name>-jobs/` beside `<name>.isolde`."""
    project_file = Path(project_file)
    return project_file.with_name(f"{project_file.stem}-jobs")
