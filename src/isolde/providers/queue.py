"""Engines with a job queue (fal, AudioLasso): submit → watch → fetch, and cancel.

Status comes from the engine's event stream when it has one (instant completion, live logs),
with polling (backing off from 0.5 s to 5 s) when the stream is missing, closes early or breaks.
Results are fetched the moment the job completes: fal deletes them quickly.
"""

from __future__ import annotations

import contextlib
import json
import logging
from abc import abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from isolde.core.errors import Cancelled, ProviderError
from isolde.core.progress import CancelToken
from isolde.providers.base import EventFn, JobEvent, ProviderResult, Request, Submission
from isolde.providers.cloud import CloudProvider, stream_timeout
from isolde.providers.errors import (
    AuthError,
    JobFailedError,
    ProtocolError,
    SubmissionUnknownError,
)
from isolde.providers.net.replies import HttpFailure
from isolde.providers.net.retry import RetryPolicy, wait
from isolde.providers.net.session import HttpSession
from isolde.providers.net.sse import response_events

log = logging.getLogger(__name__)
STREAM_RECONNECTS = 3  # early closes tolerated before polling only
BAD_STATUS_LIMIT = 5  # unreadable status answers in a row before giving up


@dataclass(frozen=True)
class RemoteStatus:
    """A status answer, whatever the engine's wording."""

    state: str  # "queued", "running", "done", "failed"
    position: int | None = None
    logs: tuple[tuple[str, str], ...] = ()  # (identity for de-duplication, message)
    error: str = ""

    @property
    def terminal(self) -> bool:
        return self.state in ("done", "failed")


@dataclass
class _Tracker:
    """Turns successive statuses into events: state changes once, each log line once."""

    seen: set[str] = field(default_factory=set)
    last: tuple[str, int | None] | None = None

    def events(self, status: RemoteStatus) -> list[JobEvent]:
        out = []
        if status.state in ("queued", "running") and (status.state, status.position) != self.last:
            self.last = (status.state, status.position)
            if status.state == "queued":
                where = f" (position {status.position})" if status.position is not None else ""
                out.append(
                    JobEvent(
                        "queued", f"waiting in the queue{where}", queue_position=status.position
                    )
                )
            else:
                out.append(JobEvent("running", "processing"))
        for identity, message in status.logs:
            if identity not in self.seen:
                self.seen.add(identity)
                out.append(JobEvent("log", message))
        if status.state == "done":
            out.append(JobEvent("done", "finished remotely"))
        elif status.state == "failed":
            out.append(JobEvent("failed", status.error or "the engine reported a failure"))
        return out


class QueueProvider(CloudProvider):
    stream_idle_s = 60.0  # no event for this long: poll instead of waiting on the stream
    use_stream = True

    @abstractmethod
    def interpret(self, data: Any) -> RemoteStatus:
        """A status object (from a poll or a stream event) in our terms."""

    @abstractmethod
    def status_params(self) -> dict[str, str]:
        """Query parameters for status and stream calls (asking for logs)."""

    # -- the whole lifecycle ---------------------------------------------------------------
    def run_once(
        self, request: Request, work_dir: Path, on_event: EventFn, cancel: CancelToken | None
    ) -> ProviderResult:
        submission = self.report_submit(
            lambda: self.submit(request, work_dir, on_event=on_event, cancel=cancel), on_event
        )
        self.await_done(submission, on_event, cancel)
        return self.fetch(submission, work_dir, on_event=on_event, cancel=cancel)

    def report_submit(
        self, submit: Callable[[], Submission], on_event: EventFn, *, what: str = "job"
    ) -> Submission:
        """`submit()`, reported: "unknown" when it may have reached the engine (then re-raised:
        it is never sent again), else "submitted" with the submission."""
        try:
            submission = submit()
        except SubmissionUnknownError as exc:
            on_event(JobEvent("unknown", str(exc)))
            raise
        on_event(
            JobEvent(
                "submitted", f"{self.title} {what} {submission.request_id}", submission=submission
            )
        )
        return submission

    def await_done(
        self,
        submission: Submission,
        on_event: EventFn,
        cancel: CancelToken | None,
        *,
        what: str = "job",
    ) -> None:
        """Pass the job's events on until it is done; JobFailedError when it failed. Cancelled
        asks the engine to drop the job (best effort) before it goes on up."""
        try:
            for event in self.watch(submission, cancel=cancel):
                if event.state == "failed":
                    raise JobFailedError(
                        f"{self.title}: the {what} {submission.request_id} failed: {event.message}",
                        reason=event.message,
                    )
                if event.state != "done":
                    on_event(event)
        except Cancelled:
            self._cancel_quietly(submission)
            raise

    def _cancel_quietly(self, submission: Submission) -> None:
        try:
            answer = self.cancel_job(submission)
            log.info("%s: cancel of %s: %s", self.name, submission.request_id, answer)
        except Exception as exc:  # the user cancelled; report and move on
            log.warning(
                "%s: could not cancel job %s remotely (%s); it may still run",
                self.name,
                submission.request_id,
                exc,
            )

    # -- status ------------------------------------------------------------------------------
    def poll(self, submission: Submission, *, cancel: CancelToken | None = None) -> JobEvent:
        with self.open_session(cancel) as session:
            status = self.interpret(self._status(session, submission))
        events = _Tracker().events(status)
        significant = [e for e in events if e.state != "log"]
        return significant[-1] if significant else JobEvent("running", "processing")

    def watch(
        self, submission: Submission, *, cancel: CancelToken | None = None
    ) -> Iterator[JobEvent]:
        with self.open_session(cancel) as session:
            yield from self._events(session, submission)

    def _events(self, session: HttpSession, submission: Submission) -> Iterator[JobEvent]:
        tracker = _Tracker()
        streaming = self.use_stream and bool(submission.stream_url)
        reconnects, bad, delay = 0, 0, None
        while True:
            if streaming:
                for status in self._stream(session, submission):
                    yield from tracker.events(status)
                    if status.terminal:
                        return
                reconnects += 1
                streaming = reconnects <= STREAM_RECONNECTS
            try:
                status = self.interpret(self._status(session, submission))
                bad = 0
            except ProtocolError as exc:
                bad += 1
                if bad >= BAD_STATUS_LIMIT:
                    raise
                log.info("%s: unreadable status (%s); asking again", self.name, exc)
                status = None
            if status is not None:
                yield from tracker.events(status)
                if status.terminal:
                    return
            if not streaming:
                delay = self.poll_policy.next(delay)
                wait(delay, session.cancel)

    def _status(self, session: HttpSession, submission: Submission) -> Any:
        response = session.request(
            "GET",
            submission.status_url,
            what="checking the job's status",
            params=self.status_params(),
        )
        try:
            return response.json()
        except ValueError:
            raise ProtocolError(
                f"{self.title}: the status answer is not valid JSON ({response.text[:80]!r})"
            ) from None

    def _stream(self, session: HttpSession, submission: Submission) -> Iterator[RemoteStatus]:
        """Statuses from the event stream until it ends; errors end it quietly (we poll next)."""
        assert submission.stream_url is not None
        try:
            with session.stream(
                "GET",
                submission.stream_url,
                what="following the job's status",
                params=self.status_params(),
                timeout=stream_timeout(self.stream_idle_s),
            ) as response:
                for event in response_events(response):
                    try:
                        data = json.loads(event.data)
                    except ValueError:
                        log.info("%s: unreadable status event; polling instead", self.name)
                        return
                    yield self.interpret(data)
        except httpx.TransportError as exc:
            session.check_cancel()
            log.info("%s: status stream broke (%s); polling", self.name, type(exc).__name__)
        except AuthError:
            raise
        except ProviderError as exc:
            log.info("%s: status stream unavailable (%s); polling", self.name, exc)

    # -- cancel ------------------------------------------------------------------------------
    def cancel_job(self, submission: Submission) -> str:
        if not submission.cancel_url:
            return "UNSUPPORTED"  # the engine has no cancel: the job runs to its end
        # Its own session: the job's cancel token has already fired. One quick retry at most.
        session = HttpSession(
            self.title,
            auth=self.open_session(None).auth,
            map_error=_CancelAnswer,
            retry=RetryPolicy(attempts=2, base_s=0.2, max_s=1.0, max_retry_after_s=2.0),
        )
        try:
            response = session.request("PUT", submission.cancel_url, what="cancelling the job")
        except _CancelAnswer as answer:
            # fal answers 400 ALREADY_COMPLETED / 404 NOT_FOUND: answers, not failures.
            data = answer.failure.data
            if isinstance(data, dict) and data.get("status"):
                return str(data["status"])
            raise self.map_error(answer.failure) from None
        finally:
            session.close()
        with contextlib.suppress(ValueError, AttributeError):
            return str(response.json().get("status", "CANCELLATION_REQUESTED"))
        return "CANCELLATION_REQUESTED"


class _CancelAnswer(ProviderError):
    def __init__(self, failure: HttpFailure) -> None:
        super().__init__(f"cancel answered {failure.status}")
        self.failure = failure
