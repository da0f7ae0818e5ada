"""Jobs on worker threads: a bounded number per provider, events throttled, every state durable.

No Qt here. Workers own immutable requests; they report through `on_update` (called on worker
threads — the editor's bridge only queues the record) and through the store on disk, so that a
process killed at any moment loses no finished take and re-sends nothing that may have cost money.
Jobs sent in pieces record each piece (`jobs.piece_ledger`); what a recorded job becomes after a
restart is `jobs.resumption`'s rule; `jobs.foreground` runs one on the calling thread (the CLI).
A job runs in one process at a time (`JobStore.claim`).
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from isolde.audio import OutputFormat
from isolde.core.errors import Cancelled, IsoldeError
from isolde.core.progress import CancelToken
from isolde.core.spans import new_id
from isolde.jobs.naming import request_name
from isolde.jobs.piece_ledger import recording_pieces
from isolde.jobs.record import TERMINAL, JobRecord
from isolde.jobs.resumption import resume_plan, submissions, unknown_message, watch_and_fetch
from isolde.jobs.runner import TakeOutcome, run_to_take
from isolde.jobs.store import JobBusyError, JobStore
from isolde.jobs.update_pacing import UpdatePacing
from isolde.providers.base import EventFn, JobEvent, Provider, Request, ignore_events
from isolde.providers.errors import SubmissionUnknownError
from isolde.providers.registry import get_provider
from isolde.providers.selection import with_default_selection
from isolde.providers.submission import Submission

DEFAULT_LIMITS = {"local": 1}
CLOUD_LIMIT = 4

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
        for record in self._records.values():  # kept pieces of jobs that ended (a kill at the end)
            if record.state in ("done", "failed", "cancelled") and record.pieces:
                shutil.rmtree(store.pieces_dir(record.id), ignore_errors=True)
        self._cancels: dict[str, CancelToken] = {}
        self._done: dict[str, threading.Event] = {}
        self._slots: dict[str, threading.Semaphore] = {}
        self._pacing = UpdatePacing()

    # -- queries ----------------------------------------------------------------------------
    def records(self) -> list[JobRecord]:
        with self._lock:
            return sorted(self._records.values(), key=lambda r: r.created_at)

    def get(self, job_id: str) -> JobRecord | None:
        with self._lock:
            return self._records.get(job_id)

    def provider(self, name: str) -> Provider:
        return self._providers(name)

    def add(self, record: JobRecord) -> JobRecord:
        """Write a new job down (listeners are told) without starting it."""
        return self._save(record, emit=True)

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
        record = self.new_record(
            provider_name,
            request,
            out_dir,
            output_format,
            label=label,
            retry_of=retry_of,
            cost_estimate_usd=cost_estimate_usd,
            job_id=job_id,
        )
        self._save(record, emit=True)
        self._start(record, resume=False)
        return record

    def new_record(
        self, provider_name: str, request: Request, out_dir: Path, output_format: str, **extra: Any
    ) -> JobRecord:
        OutputFormat.parse(output_format)
        # Record exactly what will run: a cloud inpaint gets its region as the selection here,
        # so a resumed job knows its result covers only that stretch.
        request = with_default_selection(self._providers(provider_name), request)
        return JobRecord(
            id=extra.pop("job_id", None) or new_id(),
            provider=provider_name,
            kind=request.kind.value,
            request=request.to_json(),
            out_dir=str(out_dir),
            output_format=output_format,
            label=extra.pop("label", "") or request_name(provider_name, request.to_json()),
            **extra,
        )

    def run_recorded(
        self,
        record: JobRecord,
        *,
        resume: bool = False,
        on_event: EventFn = ignore_events,
        cancel: CancelToken | None = None,
    ) -> TakeOutcome:
        """Run a recorded job on the calling thread (`jobs.foreground`); what went wrong is
        raised after it is recorded. `resume`: watch and fetch its saved submission."""
        token = cancel or CancelToken()
        self._cancels[record.id] = token
        self._done[record.id] = threading.Event()
        try:
            return self._run(record.id, token, resume, self._event_sink(record.id, on_event))
        finally:
            self._cancels.pop(record.id, None)
            self._done[record.id].set()

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
        """Pick up unfinished jobs after a restart (`resumption.resume_plan` says what each
        becomes: started, watched, or reported as unknown)."""
        picked = [r for r in self.records() if r.active and (job_id is None or r.id == job_id)]
        started = []
        for record in picked:
            if record.id in self._cancels or self.store.busy(record.id):
                continue  # already running, in this process or another one
            plan = resume_plan(record, self._providers(record.provider))
            if plan == "unknown":
                self.mark_unknown(record)
            else:
                self._start(record, resume=plan == "watch")
                started.append(record)
        return started

    def mark_unknown(self, record: JobRecord) -> JobRecord:
        if record.state == "unknown":
            return record
        return self._save(record.moved("unknown", message=unknown_message(record)), emit=True)

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
        with contextlib.suppress(Exception):  # recorded: the job's state says what went wrong
            self._run(job_id, token, resume, self._event_sink(job_id))

    def _run(self, job_id: str, token: CancelToken, resume: bool, sink: EventFn) -> TakeOutcome:
        """Run the job on this thread and record how it ended; a failure is raised after.
        A job another live process holds, or has moved on meanwhile, is left alone."""
        with self.store.claim(job_id):
            self._reload(job_id)
            provider = self._providers(self._require(job_id).provider)
            if token.cancelled:
                self._end(job_id, "cancelled", "cancelled before it started")
                raise Cancelled()
            try:
                outcome = self._execute(job_id, provider, token, resume, sink)
            except Cancelled:
                self._cancel_remote(job_id, provider)
                self._end(job_id, "cancelled", "cancelled")
                raise
            except SubmissionUnknownError as exc:
                self._end(job_id, "unknown", str(exc))
                raise
            except IsoldeError as exc:
                self._end(job_id, "failed", str(exc))
                raise
            except Exception as exc:  # a bug: the job fails visibly, the app keeps going
                self._end(job_id, "failed", f"unexpected {type(exc).__name__}: {exc}")
                raise
            done = self._require(job_id).moved(
                "done", take_file=str(outcome.take_file), fraction=1.0, queue_position=None
            )
            self._save(replace(done, message="done"), emit=True)
            shutil.rmtree(self.store.pieces_dir(job_id), ignore_errors=True)
            return outcome

    def _end(self, job_id: str, state: str, message: str) -> None:
        self._save(self._require(job_id).moved(state, message=message), emit=True)
        if state != "unknown":  # an unknown job keeps its finished pieces for the user
            shutil.rmtree(self.store.pieces_dir(job_id), ignore_errors=True)

    def _execute(
        self, job_id: str, provider: Provider, token: CancelToken, resume: bool, sink: EventFn
    ) -> TakeOutcome:
        record = self._require(job_id)
        if resume:
            return watch_and_fetch(
                record,
                provider,
                token,
                sink,
                lambda: self._save(self._require(job_id).moved("fetching"), emit=True),
            )
        # Uploads and reading are safe to redo; the engine's "sending" event marks the moment
        # after which a crash leaves the job (or the piece being sent) unknown.
        moved = "preparing" if provider.capabilities.key_env and not record.pieces else "running"
        self._save(record.moved(moved), emit=True)
        with recording_pieces(
            lambda: self._require(job_id),
            lambda record: self._save(record, emit=False),
            provider,
            self.store.pieces_dir(job_id),
        ):
            return run_to_take(
                provider,
                Request.from_json(record.request),
                Path(record.out_dir),
                OutputFormat.parse(record.output_format),
                on_event=sink,
                cancel=token,
                keep_mono=record.keep_mono,
            )

    def _event_sink(self, job_id: str, relay: EventFn = ignore_events) -> EventFn:
        def sink(event: JobEvent) -> None:
            record_event(event)
            relay(event)

        def record_event(event: JobEvent) -> None:
            record = self._require(job_id)
            if event.state == "sending":
                record = record.moved("submitting", sends=record.sends + 1)
                self._save(record, emit=True)  # on disk before the request leaves
                return
            if event.state == "submitted" and event.submission is not None:
                subs = [*submissions(record), event.submission.to_json()]
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
                new_phase = self._pacing.new_phase(job_id, event.message)
                record = record.moved(
                    state, queue_position=event.queue_position, fraction=event.fraction
                )
                if event.message:
                    record = replace(record, message=event.message)
                self._save(record, emit=changed or new_phase, persist=changed)
            elif event.state == "log" and event.message:
                self._save(record.with_log(event.message), emit=False, persist=False)

        return sink

    # -- bookkeeping --------------------------------------------------------------------------
    def _cancel_remote(self, job_id: str, provider: Provider) -> None:
        for sub in submissions(self._require(job_id)):
            with contextlib.suppress(IsoldeError, NotImplementedError, ValueError):
                provider.cancel_job(Submission.from_json(sub))

    def _reload(self, job_id: str) -> None:
        """The job as on disk, now that it is ours: another process may have moved it on."""
        fresh, seen = self.store.get(job_id), self._require(job_id)
        if fresh is not None and fresh.updated_at > seen.updated_at:
            with self._lock:
                self._records[job_id] = fresh
            raise JobBusyError(
                f"job {job_id} was moved on by another Isolde process ({fresh.state}); "
                "see `isolde jobs list`, and run this again if it is unfinished"
            )

    def _require(self, job_id: str) -> JobRecord:
        with self._lock:
            record = self._records.get(job_id)
        if record is None:
            raise IsoldeError(f"no job {job_id!r}; see `isolde jobs list`")
        return record

    def _save(self, record: JobRecord, *, emit: bool, persist: bool = True) -> JobRecord:
        with self._lock:
            self._records[record.id] = record
        write, tell = self._pacing.due(
            record.id, persist=persist, emit=emit, final=record.state in TERMINAL
        )
        if write:
            self.store.put(record)
        if tell:
            for listener in list(self._listeners):
                listener(record)
        return record


def _bundle(subs: list[dict]) -> dict:
    """One submission as itself; several (chunks) under "pieces"."""
    return subs[0] if len(subs) == 1 else {"pieces": subs, **subs[0]}
