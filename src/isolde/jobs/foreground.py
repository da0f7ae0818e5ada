"""One job run in the foreground (`isolde separate`, `isolde inpaint`), durable like any other.

The job is checked, then written to the store before anything leaves the machine, then run on
the calling thread through the same `JobManager` path the editor and `isolde batch` use, so a
killed command is resumed by `isolde jobs resume`. The same command run again recognises its
job (same request, engine, format and take folder) and picks it up instead of paying again; a
job that may exist remotely unseen is reported, never re-sent.
"""

from __future__ import annotations

from pathlib import Path

from isolde.audio import OutputFormat, probe
from isolde.core.progress import CancelToken
from isolde.jobs.manager import JobManager
from isolde.jobs.record import JobRecord
from isolde.jobs.resumption import finished_take, resume_plan, same_job
from isolde.jobs.runner import TakeOutcome, checked_request
from isolde.providers.base import EventFn, JobEvent, Request, ignore_events
from isolde.providers.errors import SubmissionUnknownError


def run_job_here(
    manager: JobManager,
    provider_name: str,
    request: Request,
    out_dir: Path,
    output_format: str = "wav",
    *,
    keep_mono: bool = False,
    on_event: EventFn = ignore_events,
    cancel: CancelToken | None = None,
) -> tuple[JobRecord | None, TakeOutcome]:
    """Run (or pick up) the job for `request` on this thread; its record and outcome (no
    record when the take is already there from an earlier run: nothing is sent).

    Bad requests and a missing key raise before anything is recorded. What goes wrong later is
    recorded in the job, then raised (SubmissionUnknownError for a job that may exist remotely).
    """
    provider = manager.provider(provider_name)
    out_dir = Path(out_dir).absolute()
    fmt = OutputFormat.parse(output_format)
    media = probe(request.media_path)
    request = checked_request(provider, request, media, out_dir, fmt, keep_mono=keep_mono)
    record = same_job(manager.records(), provider_name, request, out_dir, output_format)
    done = finished_take(out_dir, provider_name, request) if record is None else None
    if done is not None:
        on_event(JobEvent("log", f"already done: {done.take_file} (another --out runs it anew)"))
        return None, done
    if record is None:
        record = manager.new_record(
            provider_name, request, out_dir, output_format, keep_mono=keep_mono
        )
        manager.add(record)  # on disk before anything leaves the machine
        return record, manager.run_recorded(record, on_event=on_event, cancel=cancel)
    plan = "unknown" if record.state == "unknown" else resume_plan(record, provider)
    if plan == "unknown":
        record = manager.mark_unknown(record)
        raise SubmissionUnknownError(
            f"job {record.id} (this command, run before): {record.message} "
            "`isolde jobs list` shows it."
        )
    on_event(JobEvent("log", f"picking up job {record.id} from {record.created_at}"))
    outcome = manager.run_recorded(record, resume=plan == "watch", on_event=on_event, cancel=cancel)
    return record, outcome
