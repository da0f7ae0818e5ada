"""One interface for every engine: capabilities, validation, a run that reports events.

`run` is the blocking whole lifecycle that the CLI and the offline engine use. Queue engines
(`capabilities.queue`) also expose its steps — submit → poll/watch → fetch, and cancel_job — so
the durable job store can persist a `Submission` and resume after a restart.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isolde.core.errors import ValidationError
from isolde.core.progress import CancelToken
from isolde.providers.options import OptionSpec
from isolde.providers.request import Request, RequestKind, TimeRange, selection_problems
from isolde.providers.submission import Submission

__all__ = [
    "Capabilities",
    "EventFn",
    "JobEvent",
    "OptionSpec",
    "Provider",
    "ProviderResult",
    "Request",
    "RequestKind",
    "Submission",
    "TimeRange",
    "ignore_events",
]


@dataclass(frozen=True)
class Capabilities:
    kinds: frozenset[RequestKind]
    options: tuple[OptionSpec, ...] = ()
    key_env: str | None = None  # environment variable holding the API key; None = no key needed
    max_duration_s: float | None = None
    notes: str = ""
    queue: bool = False  # submit/poll/watch/cancel_job/fetch work (a remote job queue)
    price_note: str = ""  # where `estimate_cost` gets its numbers, for the UI
    mono_output: bool = False  # separations come back mono (SAM Audio): re-projected to stereo

    def option(self, name: str) -> OptionSpec | None:
        return next((o for o in self.options if o.name == name), None)


@dataclass(frozen=True)
class JobEvent:
    """What an engine reports while it works. `fraction` is None when unknown.

    States: "sending" (a request that may start a billed job is about to leave; sent just
    before it, so a job store can note that a crash from here on leaves the job unknown),
    "submitted" (the job exists remotely: `submission` says where), "queued" (with
    `queue_position` when the engine says), "running", "log" (one line from the engine), "done",
    "failed" (`message` is the reason), "unknown" (a submit may or may not have reached the
    engine; it was not re-sent).
    """

    state: str
    message: str = ""
    fraction: float | None = None
    queue_position: int | None = None
    submission: Submission | None = None


EventFn = Callable[[JobEvent], None]
TERMINAL_STATES = frozenset({"done", "failed", "unknown"})


def ignore_events(event: JobEvent) -> None:
    """Event sink for callers that do not listen."""


# The detail naming stretches at the starts of exclude spans that an engine found to hold the
# fading echo of the sound before them and kept with it ([[start_s, end_s], ...]).
ECHOES_DETAIL = "exclude_tails_left_out_s"


@dataclass(frozen=True)
class ProviderResult:
    """Audio files an engine produced (any format `open_audio` reads), by role, plus provenance.

    Roles: "target"/"residual" for separation, "inpainted" for inpaint. `details` is stored
    with the take; the result check reads ECHOES_DETAIL from it.
    """

    files: Mapping[str, Path]
    sample_rate: int
    endpoint: str
    provider_request_id: str | None = None
    cost_usd: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


class Provider(ABC):
    name: str
    title: str
    capabilities: Capabilities

    def resolve_options(
        self, raw: Mapping[str, Any], kind: RequestKind | None = None
    ) -> dict[str, Any]:
        """Defaults overlaid with `raw`, each coerced; unknown or bad options raise together.

        With `kind`, an option set explicitly for a kind it does not apply to is a problem too.
        """
        problems: dict[str, str] = {}
        resolved = {o.name: o.default for o in self.capabilities.options}
        for key, value in raw.items():
            spec = self.capabilities.option(key)
            if spec is None:
                known = ", ".join(o.name for o in self.capabilities.options) or "none"
                problems[f"option {key}"] = f"{self.name} has no such option (known: {known})"
                continue
            if kind is not None and not spec.applies_to(kind):
                kinds = ", ".join(k.value for k in spec.kinds)
                problems[f"option {key}"] = (
                    f"applies to {kinds} requests only, not {kind.value}; leave it out"
                )
                continue
            try:
                resolved[key] = spec.coerce(value)
            except ValueError as exc:
                problems[f"option {key}"] = str(exc)
        if problems:
            raise ValidationError(problems)
        return resolved

    def validate(self, request: Request, duration_s: float) -> None:
        """Reject a bad request with field-level messages before any work or network call."""
        problems: dict[str, str] = {}
        if request.kind not in self.capabilities.kinds:
            served = ", ".join(sorted(k.value for k in self.capabilities.kinds))
            problems["kind"] = (
                f"{self.name} does not do {request.kind.value} requests (it does: {served})"
            )
        problems.update(selection_problems(request, duration_s))
        span_s = request.selection.length if request.selection else duration_s
        limit = self.capabilities.max_duration_s
        if limit is not None and span_s > limit:
            what = "the selection" if request.selection else "the media"
            problems["media"] = (
                f"{what} is {span_s:.1f} s, longer than {self.name}'s limit of {limit:.0f} s; "
                "select a shorter stretch"
            )
        for span in request.spans:
            if span.end > duration_s + 1e-6:
                problems["spans"] = (
                    f"span {span.start:g}–{span.end:g} s ends after the media ({duration_s:.3f} s)"
                )
        if request.region is not None and request.region.end > duration_s + 1e-6:
            problems["region"] = (
                f"region {request.region.start:g}–{request.region.end:g} s ends after the media "
                f"({duration_s:.3f} s)"
            )
        try:
            self.resolve_options(request.options, request.kind)
        except ValidationError as exc:
            problems.update(exc.problems)
        problems.update(self.check(request, duration_s))
        if problems:
            raise ValidationError(problems)

    def check(self, request: Request, duration_s: float) -> dict[str, str]:
        """Provider-specific rules; returns field → message for each problem."""
        return {}

    def key_configured(self) -> bool:
        return self.capabilities.key_env is None

    def estimate_cost(self, request: Request, duration_s: float) -> float | None:
        """Expected charge in USD for this request, or None when free or unknown."""
        return None

    @abstractmethod
    def run(
        self,
        request: Request,
        work_dir: Path,
        *,
        on_event: EventFn = ignore_events,
        cancel: CancelToken | None = None,
    ) -> ProviderResult:
        """Do the whole job, writing result files into `work_dir`.

        Blocking: call it off the GUI thread.
        """

    # -- the queue lifecycle (capabilities.queue) ----------------------------------------------
    def submit(
        self,
        request: Request,
        work_dir: Path,
        *,
        on_event: EventFn = ignore_events,
        cancel: CancelToken | None = None,
    ) -> Submission:
        """Upload what the request needs and create the remote job; never sent twice."""
        raise NotImplementedError(f"{self.name} works in one call: use run()")

    def poll(self, submission: Submission, *, cancel: CancelToken | None = None) -> JobEvent:
        """One status check: a queued, running, done or failed event."""
        raise NotImplementedError(f"{self.name} works in one call: use run()")

    def watch(
        self, submission: Submission, *, cancel: CancelToken | None = None
    ) -> Iterator[JobEvent]:
        """Events (queued, running, log lines) until a terminal one (done or failed)."""
        raise NotImplementedError(f"{self.name} works in one call: use run()")

    def cancel_job(self, submission: Submission) -> str:
        """Ask the engine to drop the job; returns what it said (e.g. "CANCELLATION_REQUESTED")."""
        raise NotImplementedError(f"{self.name} works in one call: use run()")

    def fetch(
        self,
        submission: Submission,
        work_dir: Path,
        *,
        on_event: EventFn = ignore_events,
        cancel: CancelToken | None = None,
    ) -> ProviderResult:
        """Download a finished job's files into `work_dir`."""
        raise NotImplementedError(f"{self.name} works in one call: use run()")
