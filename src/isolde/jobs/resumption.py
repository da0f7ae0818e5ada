"""How a recorded job is picked up again: what it becomes after a restart, which recorded job a
repeated command is, and fetching a remote job from its saved submission.

The rule everywhere: nothing that may have been billed is ever sent again. A job (or a piece of
one) whose billed request may have left without an id is "unknown" and reported.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from isolde.audio import OutputFormat, open_audio
from isolde.core.errors import IsoldeError
from isolde.core.progress import CancelToken
from isolde.core.takes import Take
from isolde.jobs.piece_ledger import describe
from isolde.jobs.record import JobRecord
from isolde.jobs.runner import TakeOutcome, clear_leftovers, store_take
from isolde.providers.base import EventFn, Provider, Request
from isolde.providers.pieces import SENDING
from isolde.providers.submission import Submission


def submissions(record: JobRecord) -> list[dict]:
    if not record.submission:
        return []
    return list(record.submission.get("pieces", [record.submission]))


def resume_plan(record: JobRecord, provider: Provider) -> str:
    """ "start" again when nothing billed can be lost or sent twice (for a job in pieces the
    run keeps, fetches or sends each piece as its record says), "watch" a single remote job that
    can be fetched from its saved submission, else "unknown" (never re-sent)."""
    if provider.capabilities.key_env is None:
        return "start"  # this machine's own engine: nothing was billed
    if record.pieces:
        return "unknown" if any(p.get("state") == SENDING for p in record.pieces) else "start"
    if record.state in ("pending", "preparing"):
        return "start"  # nothing billed can have left the machine
    subs = submissions(record)
    single = len(subs) == 1 and record.sends <= 1 and not record.request.get("selection")
    if provider.capabilities.queue and single:
        return "watch"
    return "unknown"


def unknown_message(record: JobRecord) -> str:
    ids = ", ".join(str(s.get("request_id")) for s in submissions(record))
    where = f" ({describe(record)})" if record.pieces else ""
    return (
        "Isolde stopped while this job was being sent"
        + (f" (provider request {ids})" if ids else "")
        + where
        + "; it may exist and be billed at the provider, so it was not sent again. Check the "
        "provider's dashboard, or retry it as a new job."
    )


def _comparable(request: Mapping[str, Any]) -> dict[str, Any]:
    """A request's JSON without the ids its spans and region get anew on every run."""
    data = dict(request)
    data["spans"] = [
        {k: v for k, v in dict(s).items() if k != "id"} for s in data.get("spans") or ()
    ]
    if data.get("region"):
        data["region"] = {k: v for k, v in dict(data["region"]).items() if k != "id"}
    return data


def same_job(
    records: list[JobRecord],
    provider: str,
    request: Request,
    out_dir: Path,
    output_format: str,
) -> JobRecord | None:
    """The newest unfinished or unknown job for this very request, engine, format and take
    folder: what running the same command again picks up instead of sending a new job."""
    wanted = _comparable(request.to_json())
    for record in sorted(records, key=lambda r: r.created_at, reverse=True):
        if (
            (record.active or record.state == "unknown")
            and record.provider == provider
            and record.out_dir == str(out_dir)
            and record.output_format == output_format
            and _comparable(record.request) == wanted
        ):
            return record
    return None


def finished_take(out_dir: Path, provider: str, request: Request) -> TakeOutcome | None:
    """The take already in `out_dir` for this very request and engine, if there is one: a
    command killed after its take was stored and run again gets it without paying again."""
    try:
        document = json.loads((Path(out_dir) / "take.json").read_text(encoding="utf-8"))
        take = Take.from_json(document["take"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if take.provider != provider or _comparable(take.request) != _comparable(request.to_json()):
        return None
    outputs = {role: Path(out_dir) / str(name) for role, name in take.files.items()}
    if not all(path.is_file() for path in outputs.values()):
        return None
    return TakeOutcome(take, Path(out_dir) / "take.json", outputs, 0.0, 0.0)


def watch_and_fetch(
    record: JobRecord,
    provider: Provider,
    token: CancelToken,
    sink: EventFn,
    mark_fetching: Callable[[], object],
) -> TakeOutcome:
    """Follow a single remote job from its saved submission to its end, then store its take."""
    started = time.perf_counter()
    request = Request.from_json(record.request)
    fmt = OutputFormat.parse(record.output_format)
    out_dir = Path(record.out_dir)
    submission = Submission.from_json(submissions(record)[0])
    for event in provider.watch(submission, cancel=token):
        sink(event)
        if event.state == "failed":
            raise IsoldeError(event.message or "the engine reported a failure")
    with open_audio(request.media_path) as src:
        media = src.info
    out_dir.mkdir(parents=True, exist_ok=True)
    clear_leftovers(out_dir)
    work_dir = Path(tempfile.mkdtemp(prefix=".isolde-work-", dir=out_dir))
    try:
        fetch_started = time.perf_counter()
        mark_fetching()
        result = provider.fetch(submission, work_dir, on_event=sink, cancel=token)
        processing_s = time.perf_counter() - fetch_started
        timing = {"processing_s": round(processing_s, 4), "resumed": 1.0}
        take, take_file, outputs = store_take(
            result,
            request,
            provider,
            media,
            out_dir,
            fmt,
            timing,
            token,
            keep_mono=record.keep_mono,
        )
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return TakeOutcome(take, take_file, outputs, processing_s, time.perf_counter() - started)
