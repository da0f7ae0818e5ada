"""Jobs on worker threads: a bounded number per provider, events throttled, every state durable.

No Qt here. Workers own immutable requests; they report through `on_update` (called on worker
threads — the editor's bridge only queues the record) and through the store on disk, so that a
process killed at any moment loses no finished take and re-sends nothing that may have cost money.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from isolde.audio import OutputFormat, open_audio
from isolde.core.errors import Cancelled, IsoldeError
from isolde.core.progress import CancelToken
from isolde.core.spans import new_id
from isolde.jobs.record import TERMINAL, JobRecord
from isolde.jobs.runner import clear_leftovers, run_to_take, store_take
from isolde.jobs.store import JobStore
from isolde.providers.base import JobEvent, Provider, Request
from isolde.providers.errors import SubmissionUnknownError
from isolde.providers.registry import get_provider
from isolde.providers.selection import with_default_selection
from isolde.providers.submission import Submission

DEFAULT_LIMITS = {"local": 1}
CLOUD_LIMIT = 4
THROTTLE_S = 0.1  # at most ~10 progress/log updates per second per job
PERSIST_PROGRESS_S = 1.0

Listener = Callable[[JobRecord], None]


class JobManager:
    def __init__(
        self,
        store: JobStore,
        *,
        providers: Callable[[str], Provider] = get_provider,
        limits: dict[str, int] | None = None,
        on_update: Listener | None = None,
    ) -> None:
        self.store = store
        self._providers = providers
        self._limits = {**DEFAULT_LIMITS, **(limits or {})}
        self._listeners: list[Listener] = [on_update] if on_update else []
        self._lock = threading.Lock()
        self._records: dict[str, JobRecord] = {r.id: r for r in store.all()}
        self._cancels: dict[str, CancelToken] = {}
        self._done: dict[str, threading.Event] = {}
        self._slots: dict[str, threading.Semaphore] = {}
        self._last_emit: dict[str, float] = {}
        self._last_persist: dict[str, float] = {}

    # -- queries ----------------------------------------------------------------------------
    def records(self) -> list[JobRecord]:
        with self._lock:
            return sorted(self._records.values(), key=lambda r: r.created_at)

    def get(self, job_id: str) -> JobRecord | None:
        with self._lock:
            return self._records.get(job_id)

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    # -- starting work ----------------------------------------------------------------------
    def submit(
        self,
        provider_name: str,
        request: Request,
        out_dir: Path,
        output_format: str = "wav",
        *,
        label: str = "",
        retry_of: str | None = None,
        cost_estimate_usd: float | None = None,
        job_id: str | None = None,
    ) -> JobRecord:
        """Write the job down, then queue it. A bad output format raises here; the request
        itself is validated by the worker (a failed job says why)."""
        OutputFormat.parse(output_format)
        # Record exactly what will run: a cloud inpaint gets its region as the selection here,
        # so a resumed job knows its result covers only that stretch.
        request = with_default_selection(self._providers(provider_name), request)
        record = JobRecord(
            id=job_id or new_id(),
            provider=provider_name,
            kind=request.kind.value,
            request=request.to_json(),
            out_dir=str(out_dir),
            output_format=output_format,
            label=label or request.prompt,
            retry_of=retry_of,
            cost_estimate_usd=cost_estimate_usd,
        )
        self._save(record, emit=True)
        self._start(record, resume=False)
        return record

    def retry(self, job_id: str, out_dir: Path | None = None) -> JobRecord:
        old = self._require(job_id)
        request = Request.from_json(old.request)
        target = out_dir or Path(old.out_dir).with_name(f"{Path(old.out_dir).name}-retry")
        return self.submit(
            old.provider,
            request,
            target,
            old.output_format,
            label=old.label,
            retry_of=old.id,
            cost_estimate_usd=old.cost_estimate_usd,
        )

    def resume(self, job_id: str | None = None) -> list[JobRecord]:
        """Pick up unfinished jobs after a restart (see `_resume_plan` for what each becomes)."""
        picked = [r for r in self.records() if r.active and (job_id is None or r.id == job_id)]
        started = []
        for record in picked:
            if record.id in self._cancels:
                continue  # already running in this process
            plan = self._resume_plan(record)
            if plan == "unknown":
                ids = ", ".join(str(s.get("request_id")) for s in self._submissions(record))
                self._save(
                    record.moved(
                        "unknown",
                        message=(
                            "Isolde stopped while this job was being sent"
                            + (f" (provider request {ids})" if ids else "")
                            + "; it may exist and be billed at the provider, so it was not "
                            "sent again. Check the provider's dashboard, or retry it as a new job."
                        ),
                    ),
                    emit=True,
                )
            else:
                self._start(record, resume=plan == "watch")
                started.append(record)
        return started

    def cancel(self, job_id: str) -> JobRecord:
        record = self._require(job_id)
        token = self._cancels.get(job_id)
        if token is not None:
            token.cancel()  # the worker stops, asks the engine to drop the job, records it
            return record
        if record.active:
            self._cancel_remote(record.id, self._providers(record.provider))
            record = self._save(record.moved("cancelled", message="cancelled"), emit=True)
        return record

    def wait(self, job_id: str | None = None, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        if job_id is not None and job_id not in self._done:
            return True  # never started in this process: nothing to wait for
        events = [self._done[job_id]] if job_id else list(self._done.values())
        for event in events:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not event.wait(left):
                return False
        return True

    def shutdown(self, *, cancel: bool = False, wait: bool = True) -> None:
        """Stop: cancel jobs (here and at the provider), or leave them to resume next time.

        Workers are daemon threads and every state is on disk, so quitting the app never waits
        for a queued cloud job: the next start watches and fetches it."""
        if cancel:
            for token in list(self._cancels.values()):
                token.cancel()
        if wait:
            self.wait()

    # -- the worker ---------------------------------------------------------------------------
    def _start(self, record: JobRecord, *, resume: bool) -> None:
        token = CancelToken()
        self._cancels[record.id] = token
        self._done[record.id] = threading.Event()
        slots = self._slots.get(record.provider)
        if slots is None:
            slots = threading.Semaphore(self._limits.get(record.provider, CLOUD_LIMIT))
            self._slots[record.provider] = slots
        threading.Thread(
            target=self._work,
            args=(record.id, token, resume, slots),
            name=f"job-{record.provider}-{record.id}",
            daemon=True,
        ).start()

    def _work(
        self, job_id: str, token: CancelToken, resume: bool, slots: threading.Semaphore
    ) -> None:
        try:
            with slots:  # a bounded number per provider; the rest wait their turn
                self._work_inner(job_id, token, resume)
        finally:
            self._cancels.pop(job_id, None)
            self._done[job_id].set()

    def _work_inner(self, job_id: str, token: CancelToken, resume: bool) -> None:
        record = self._require(job_id)
        provider = self._providers(record.provider)
        request = Request.from_json(record.request)
        fmt = OutputFormat.parse(record.output_format)
        out_dir = Path(record.out_dir)
        if token.cancelled:
            self._save(record.moved("cancelled", message="cancelled before it started"), emit=True)
            return
        on_event = self._event_sink(job_id)
        try:
            if resume:
                take_file = self._watch_and_fetch(record, provider, request, fmt, out_dir, token)
            else:
                # Uploads and reading are safe to redo; the engine's "sending" event marks the
                # moment after which a crash leaves the job unknown.
                moved = "running" if provider.capabilities.key_env is None else "preparing"
                self._save(self._require(job_id).moved(moved), emit=True)
                outcome = run_to_take(
                    provider, request, out_dir, fmt, on_event=on_event, cancel=token
                )
                take_file = outcome.take_file
        except Cancelled:
            self._cancel_remote(job_id, provider)
            self._save(self._require(job_id).moved("cancelled", message="cancelled"), emit=True)
        except SubmissionUnknownError as exc:
            self._save(self._require(job_id).moved("unknown", message=str(exc)), emit=True)
        except IsoldeError as exc:
            self._save(self._require(job_id).moved("failed", message=str(exc)), emit=True)
        except Exception as exc:  # a bug: the job fails visibly, the app keeps going
            self._save(
                self._require(job_id).moved(
                    "failed", message=f"unexpected {type(exc).__name__}: {exc}"
                ),
                emit=True,
            )
        else:
            self._save(
                self._require(job_id).moved(
                    "done",
                    take_file=str(take_file),
                    fraction=1.0,
                    queue_position=None,
                    message="done",
                ),
                emit=True,
            )

    def _watch_and_fetch(
        self,
        record: JobRecord,
        provider: Provider,
        request: Request,
        fmt: OutputFormat,
        out_dir: Path,
        token: CancelToken,
    ) -> Path:
        submission = Submission.from_json(self._submissions(record)[0])
        sink = self._event_sink(record.id)
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
            started = time.perf_counter()
            self._save(self._require(record.id).moved("fetching"), emit=True)
            result = provider.fetch(submission, work_dir, on_event=sink, cancel=token)
            timing = {"processing_s": round(time.perf_counter() - started, 4), "resumed": 1.0}
            _, take_file, _ = store_take(
                result, request, provider, media, out_dir, fmt, timing, token
            )
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        return take_file

    def _event_sink(self, job_id: str) -> Callable[[JobEvent], None]:
        def sink(event: JobEvent) -> None:
            record = self._require(job_id)
            if event.state == "sending":
                record = record.moved("submitting", sends=record.sends + 1)
                self._save(record, emit=True)  # on disk before the request leaves
                return
            if event.state == "submitted" and event.submission is not None:
                subs = [*self._submissions(record), event.submission.to_json()]
                record = record.moved("submitted", submission=_bundle(subs))
                self._save(record, emit=True)  # durable before anything else happens
                return
            if event.state in ("queued", "running"):
                # Before a remote job exists (reading, uploading, a synchronous call) the state
                # stays preparing/submitting: it is what a restart must go by.
                remote = record.submission is not None or record.state not in (
                    "preparing",
                    "submitting",
                )
                state = event.state if remote else record.state
                changed = state != record.state
                record = record.moved(
                    state, queue_position=event.queue_position, fraction=event.fraction
                )
                if event.message:
                    record = replace(record, message=event.message)
                self._save(record, emit=changed, persist=changed)
            elif event.state == "log" and event.message:
                self._save(record.with_log(event.message), emit=False, persist=False)

        return sink

    # -- bookkeeping --------------------------------------------------------------------------
    def _resume_plan(self, record: JobRecord) -> str:
        """ "start" again when nothing can have been sent or billed, "watch" a single remote job
        that can be fetched from its saved submission, else "unknown" (never re-sent)."""
        provider = self._providers(record.provider)
        if record.state in ("pending", "preparing") or provider.capabilities.key_env is None:
            return "start"  # nothing billed can have left the machine, or it is this machine
        subs = self._submissions(record)
        single = len(subs) == 1 and record.sends <= 1 and not record.request.get("selection")
        if provider.capabilities.queue and single:
            return "watch"
        return "unknown"

    @staticmethod
    def _submissions(record: JobRecord) -> list[dict]:
        if not record.submission:
            return []
        return list(record.submission.get("pieces", [record.submission]))

    def _cancel_remote(self, job_id: str, provider: Provider) -> None:
        for sub in self._submissions(self._require(job_id)):
            with contextlib.suppress(IsoldeError, NotImplementedError, ValueError):
                provider.cancel_job(Submission.from_json(sub))

    def _require(self, job_id: str) -> JobRecord:
        with self._lock:
            record = self._records.get(job_id)
        if record is None:
            raise IsoldeError(f"no job {job_id!r}; see `isolde jobs list`")
        return record

    def _save(self, record: JobRecord, *, emit: bool, persist: bool = True) -> JobRecord:
        now = time.monotonic()
        with self._lock:
            self._records[record.id] = record
        terminal = record.state in TERMINAL
        if persist or terminal or now - self._last_persist.get(record.id, 0) > PERSIST_PROGRESS_S:
            self.store.put(record)
            self._last_persist[record.id] = now
        if emit or terminal or now - self._last_emit.get(record.id, 0) >= THROTTLE_S:
            self._last_emit[record.id] = now
            for listener in list(self._listeners):
                listener(record)
        return record


def _bundle(subs: list[dict]) -> dict:
    """One submission as itself; several (chunks) under "pieces"."""
    return subs[0] if len(subs) == 1 else {"pieces": subs, **subs[0]}
