"""A job as the durable store keeps it: what was asked, where it stands, where the result goes.

Written before anything leaves the machine, and again at every change of state, so that after a
crash the store alone says which jobs can be resumed, which must be re-run and which are unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

FORMAT = "isolde-job"
VERSION = 1
MAX_LOG_LINES = 200

# pending: written, nothing started; preparing: reading, uploading (both safe to start again)
# submitting: a billed request may be on the wire (after a crash: unknown, never re-sent)
# submitted/queued/running: the remote job exists (resume by polling)
# fetching: the engine finished; downloading and storing the take
ACTIVE = ("pending", "preparing", "submitting", "submitted", "queued", "running", "fetching")
TERMINAL = ("done", "failed", "cancelled", "unknown")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class JobRecord:
    id: str
    provider: str
    kind: str
    request: Mapping[str, Any]  # Request.to_json()
    out_dir: str  # the take folder the result goes to
    output_format: str  # OutputFormat spec, e.g. "wav" or "flac:24"
    state: str = "pending"
    label: str = ""
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    started_at: str | None = None
    finished_at: str | None = None
    submission: Mapping[str, Any] | None = None  # Submission.to_json() once the job exists
    queue_position: int | None = None
    fraction: float | None = None
    message: str = ""  # the failure reason, or the latest status line
    logs: tuple[str, ...] = ()
    take_file: str | None = None
    cost_estimate_usd: float | None = None
    retry_of: str | None = None
    sends: int = 0  # billed requests started ("sending" events): more than one is a chunked job
    # A job sent in pieces (chunks, a selection): one entry per piece, in order, each
    # {"key", "state": pending|sending|submitted|done, "submission", "file", ...} (`jobs.pieces`).
    pieces: tuple[Mapping[str, Any], ...] = ()
    keep_mono: bool = False  # store the engine's mono output as it is (`isolde separate`)

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def request_id(self) -> str | None:
        return None if self.submission is None else str(self.submission.get("request_id"))

    def moved(self, state: str, **changes: Any) -> JobRecord:
        stamp = now_iso()
        extra: dict[str, Any] = {}
        if state in TERMINAL and self.finished_at is None:
            extra["finished_at"] = stamp
        if state not in ("pending",) and self.started_at is None:
            extra["started_at"] = stamp
        return replace(self, state=state, updated_at=stamp, **extra, **changes)

    def with_log(self, line: str) -> JobRecord:
        logs = (*self.logs, line)[-MAX_LOG_LINES:]
        return replace(self, logs=logs, message=line, updated_at=now_iso())

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "id": self.id,
            "provider": self.provider,
            "kind": self.kind,
            "request": dict(self.request),
            "out_dir": self.out_dir,
            "output_format": self.output_format,
            "state": self.state,
            "label": self.label,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "submission": dict(self.submission) if self.submission is not None else None,
            "queue_position": self.queue_position,
            "fraction": self.fraction,
            "message": self.message,
            "logs": list(self.logs),
            "take_file": self.take_file,
            "cost_estimate_usd": self.cost_estimate_usd,
            "retry_of": self.retry_of,
            "sends": self.sends,
            "pieces": [dict(p) for p in self.pieces],
            "keep_mono": self.keep_mono,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JobRecord:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a job record (format {data.get('format')!r})")
        if int(data.get("version", 0)) > VERSION:
            raise ValueError(f"written by a newer Isolde (job format {data['version']})")
        state = str(data["state"])
        if state not in ACTIVE + TERMINAL:
            raise ValueError(f"unknown job state {state!r}")
        return cls(
            id=str(data["id"]),
            provider=str(data["provider"]),
            kind=str(data["kind"]),
            request=dict(data["request"]),
            out_dir=str(data["out_dir"]),
            output_format=str(data.get("output_format", "wav")),
            state=state,
            label=str(data.get("label", "")),
            created_at=str(data.get("created_at") or now_iso()),
            updated_at=str(data.get("updated_at") or now_iso()),
            started_at=data.get("started_at"),
            finished_at=data.get("finished_at"),
            submission=dict(data["submission"]) if data.get("submission") else None,
            queue_position=data.get("queue_position"),
            fraction=data.get("fraction"),
            message=str(data.get("message", "")),
            logs=tuple(str(x) for x in data.get("logs", ())),
            take_file=data.get("take_file"),
            cost_estimate_usd=data.get("cost_estimate_usd"),
            retry_of=data.get("retry_of"),
            sends=int(data.get("sends", 0)),
            pieces=tuple(dict(p) for p in data.get("pieces") or ()),
            keep_mono=bool(data.get("keep_mono", False)),
        )
