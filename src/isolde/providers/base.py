"""One interface for every engine: capabilities, validation, a run that reports events.

Cloud engines (a later issue) split `run` into submit / status / cancel / fetch for the durable
job store; `run` stays the blocking whole lifecycle that the CLI and the offline engine use.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from isolde.core.errors import ValidationError
from isolde.core.progress import CancelToken
from isolde.core.spans import InpaintRegion, Span


class RequestKind(StrEnum):
    TEXT = "text"
    SPANS = "spans"
    VISUAL = "visual"
    INPAINT = "inpaint"


@dataclass(frozen=True)
class OptionSpec:
    """One provider option, declared so that the CLI and the UI can build and check it."""

    name: str
    type: type  # int, float, str or bool
    default: Any
    help: str
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def coerce(self, raw: Any) -> Any:
        """Turn a CLI string (or a JSON value) into this option's type, or raise ValueError."""
        if self.type is bool:
            if isinstance(raw, bool):
                value: Any = raw
            elif str(raw).strip().lower() in ("1", "true", "yes", "on"):
                value = True
            elif str(raw).strip().lower() in ("0", "false", "no", "off"):
                value = False
            else:
                raise ValueError(f"expected true or false, got {raw!r}")
        elif self.type is int:
            if isinstance(raw, bool):
                raise ValueError(f"expected a whole number, got {raw!r}")
            try:
                value = int(str(raw).strip())
            except ValueError:
                raise ValueError(f"expected a whole number, got {raw!r}") from None
        elif self.type is float:
            try:
                value = float(str(raw).strip())
            except ValueError:
                raise ValueError(f"expected a number, got {raw!r}") from None
            if not math.isfinite(value):
                raise ValueError(f"expected a finite number, got {raw!r}")
        else:
            value = str(raw)
        if self.choices and value not in self.choices:
            allowed = ", ".join(str(c) for c in self.choices)
            raise ValueError(f"must be one of {allowed}; got {raw!r}")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"must be at least {self.minimum:g}; got {raw!r}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"must be at most {self.maximum:g}; got {raw!r}")
        return value


@dataclass(frozen=True)
class Capabilities:
    kinds: frozenset[RequestKind]
    options: tuple[OptionSpec, ...] = ()
    key_env: str | None = None  # environment variable holding the API key; None = no key needed
    max_duration_s: float | None = None
    notes: str = ""

    def option(self, name: str) -> OptionSpec | None:
        return next((o for o in self.options if o.name == name), None)


@dataclass(frozen=True)
class Request:
    """Everything one engine call needs; immutable so a worker thread can own it safely."""

    kind: RequestKind
    media_path: str
    prompt: str = ""
    spans: tuple[Span, ...] = ()
    region: InpaintRegion | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "media_path": self.media_path,
            "prompt": self.prompt,
            "spans": [s.to_json() for s in self.spans],
            "region": self.region.to_json() if self.region else None,
            "options": dict(self.options),
        }


@dataclass(frozen=True)
class JobEvent:
    """What an engine reports while it works. `fraction` is None when unknown."""

    state: str  # "queued" | "running" | "log" | "done" | "failed"
    message: str = ""
    fraction: float | None = None
    queue_position: int | None = None


EventFn = Callable[[JobEvent], None]


def ignore_events(event: JobEvent) -> None:
    """Event sink for callers that do not listen."""


@dataclass(frozen=True)
class ProviderResult:
    """Files an engine produced (float32 WAV at `sample_rate`), by role, plus provenance."""

    files: Mapping[str, Path]  # "target"/"residual" for separation, "inpainted" for inpaint
    sample_rate: int
    endpoint: str
    provider_request_id: str | None = None
    cost_usd: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


class Provider(ABC):
    name: str
    title: str
    capabilities: Capabilities

    def resolve_options(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with `raw`, each coerced; unknown or bad options raise together."""
        problems: dict[str, str] = {}
        resolved = {o.name: o.default for o in self.capabilities.options}
        for key, value in raw.items():
            spec = self.capabilities.option(key)
            if spec is None:
                known = ", ".join(o.name for o in self.capabilities.options) or "none"
                problems[f"option {key}"] = f"{self.name} has no such option (known: {known})"
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
        limit = self.capabilities.max_duration_s
        if limit is not None and duration_s > limit:
            problems["media"] = (
                f"{duration_s:.1f} s is longer than {self.name}'s limit of {limit:.0f} s"
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
            self.resolve_options(request.options)
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
