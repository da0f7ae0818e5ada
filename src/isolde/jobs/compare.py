"""Compare: one request (the same marks and prompt) sent to several engines or option sets.

Pure planning (`parse_try`, `plan_tries`, `total_cost`) is shared by `isolde compare` and the
editor's Compare dialog, so both price and send exactly the same requests; `run_tries` sends
them all at once through the durable job manager (a cloud try is never paid for twice) and
writes one take folder per try under OUT plus `summary.json`.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from isolde.core.atomic import atomic_write_text
from isolde.core.errors import InputError, MissingKeyError, ValidationError
from isolde.providers.base import Provider, Request, RequestKind
from isolde.providers.registry import get_provider, provider_names

SUMMARY_FILE = "summary.json"
MAX_TRIES = 8  # more would be an accident (and a bill), not a comparison


@dataclass(frozen=True)
class Try:
    """One engine with its own options, e.g. `fal:reranking_candidates=4`."""

    provider: str
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        opts = ",".join(f"{k}={v}" for k, v in self.options.items())
        return f"{self.provider}:{opts}" if opts else self.provider


def parse_try(text: str) -> Try:
    """`PROVIDER[:KEY=VALUE,...]`; an unknown engine or a malformed option is bad input."""
    name, _, rest = text.strip().partition(":")
    if name not in provider_names():
        raise InputError(
            f"--try {text!r}: unknown engine {name!r}; choose one of {', '.join(provider_names())}"
        )
    options: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in rest.split(","))):
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(
                f"--try {text!r}: write options as KEY=VALUE, e.g. fal:acceleration=fast"
            )
        options[key.strip()] = value.strip()
    return Try(name, options)


@dataclass(frozen=True)
class PlannedTry:
    index: int
    attempt: Try
    provider: Provider
    request: Request
    cost_usd: float | None
    note: str = ""  # e.g. "spans not sent: this engine takes the prompt only"

    @property
    def folder(self) -> str:
        """`01-fal-reranking_candidates-4`: ordered as given, readable, safe on any disk."""
        slug = re.sub(r"[^A-Za-z0-9_.]+", "-", self.attempt.name).strip("-")
        return f"{self.index:02d}-{slug}"


def request_for(attempt: Try, provider: Provider, base: Request) -> tuple[Request, str]:
    """The base request as this engine takes it: spans where it takes spans, else the prompt;
    the try's options over the base options (those that apply to the kind)."""
    kinds = provider.capabilities.kinds
    note = ""
    kind = base.kind
    if kind is RequestKind.SPANS and kind not in kinds and base.prompt.strip():
        kind, note = RequestKind.TEXT, f"{provider.title} takes no spans: only the prompt is sent"
    options: dict[str, Any] = {}
    for name, value in {**base.options, **attempt.options}.items():
        spec = provider.capabilities.option(name)
        if name in attempt.options or spec is None or spec.applies_to(kind):
            options[name] = value  # the try's own names always go: validation names bad ones
    spans = base.spans if kind is RequestKind.SPANS else ()
    return replace(base, kind=kind, spans=spans, options=options), note


def survey_tries(
    tries: Sequence[Try],
    base: Request,
    duration_s: float,
    *,
    providers: Callable[[str], Provider] = get_provider,
) -> tuple[list[PlannedTry], dict[str, str]]:
    """Every try as it would be sent, priced, and the problems of all tries (keyed
    `INDEX:field`, each message naming its try) — for a dialog that shows them as they change."""
    planned, problems = [], {}
    if len(tries) < 2:
        problems["tries"] = "a comparison needs at least two tries, e.g. local and fal"
    if len(tries) > MAX_TRIES:
        problems["tries"] = f"at most {MAX_TRIES} tries at once ({len(tries)} given)"
    for index, attempt in enumerate(tries, 1):
        provider = providers(attempt.provider)
        request, note = request_for(attempt, provider, base)
        for key, message in _problems(provider, request, duration_s).items():
            problems[f"{index}:{key}"] = f"try {index} ({attempt.name}): {message}"
        cost = _cost(provider, request, duration_s)
        planned.append(PlannedTry(index, attempt, provider, request, cost, note))
    return planned, problems


def plan_tries(
    tries: Sequence[Try],
    base: Request,
    duration_s: float,
    *,
    providers: Callable[[str], Provider] = get_provider,
) -> list[PlannedTry]:
    """Every try checked against its engine before anything is sent; the problems of all tries
    are raised together (a missing key alone is a key error, exit 4, like `separate`)."""
    planned, problems = survey_tries(tries, base, duration_s, providers=providers)
    if "tries" in problems:
        raise InputError(problems["tries"])
    if problems and all(key.endswith(":key") for key in problems):
        raise MissingKeyError("; ".join(problems.values()))
    if problems:
        raise ValidationError(problems)
    return planned


def _problems(provider: Provider, request: Request, duration_s: float) -> dict[str, str]:
    from isolde.providers.net.keys import missing_key_message

    try:
        provider.validate(request, duration_s)
        found: dict[str, str] = {}
    except ValidationError as exc:
        found = dict(exc.problems)
    env = provider.capabilities.key_env
    if env is not None and not provider.key_configured():
        found["key"] = missing_key_message(env, provider.title)
    return found


def _cost(provider: Provider, request: Request, duration_s: float) -> float | None:
    """The engine's estimate for the audio it is sent (a selection plus its context)."""
    from isolde.providers.windows import context_for

    sent = duration_s
    if request.selection is not None:
        context = context_for(request.kind)
        start = max(0.0, request.selection.start - context)
        sent = min(duration_s, request.selection.end + context) - start
    try:
        return provider.estimate_cost(request, sent)
    except (ValueError, KeyError, InputError):
        return None


def total_cost(planned: Sequence[PlannedTry]) -> float | None:
    """The sum of each try's estimate (None when no try has a price: free or unknown)."""
    known = [p.cost_usd for p in planned if p.cost_usd is not None]
    return round(sum(known), 4) if known else None


def cost_text(planned: Sequence[PlannedTry]) -> str:
    """`about $0.150 for 3 tries (local is free; no price known for audiolasso)`."""
    total = total_cost(planned)
    free = [p.attempt.name for p in planned if p.cost_usd is None and _runs_here(p)]
    unpriced = [p.attempt.name for p in planned if p.cost_usd is None and not _runs_here(p)]
    if total is None and not unpriced:
        return f"{len(planned)} tries, all free: they run on this computer"
    head = f"about ${total:.3f}" if total is not None else "no price known"
    notes = [f"{', '.join(free)} free"] if free else []
    notes += [f"no price known for {', '.join(unpriced)}"] if unpriced else []
    return f"{head} for {len(planned)} tries" + (f" ({'; '.join(notes)})" if notes else "")


def _runs_here(p: PlannedTry) -> bool:
    return p.provider.capabilities.key_env is None


def run_tries(
    planned: Sequence[PlannedTry],
    out: Path,
    fmt: str,
    *,
    on_update: Callable[[Any], None] | None = None,
    wait: Callable[[Any, list[str]], bool] | None = None,
) -> tuple[list[dict[str, Any]], bool]:
    """Send every try at once (jobs kept in OUT/.jobs) and wait; (summary rows, finished)."""
    from isolde.jobs.manager import JobManager
    from isolde.jobs.store import JobStore
    from isolde.jobs.waiting import wait_all

    by_name = {p.provider.name: p.provider for p in planned}
    manager = JobManager(
        JobStore(out / ".jobs"),
        providers=lambda name: by_name.get(name) or get_provider(name),
        on_update=on_update,
    )
    ids = [
        manager.submit(
            p.provider.name,
            p.request,
            out / p.folder,
            fmt,
            label=f"compare {p.index}: {p.attempt.name}",
            cost_estimate_usd=p.cost_usd,
        ).id
        for p in planned
    ]
    finished = (wait or wait_all)(manager, ids)
    rows = [summary_row(p, manager.get(i)) for p, i in zip(planned, ids, strict=True)]
    manager.shutdown()
    for p, row in zip(planned, rows, strict=True):
        if row["state"] != "done":
            _drop_if_empty(out / p.folder)
    return rows, finished


def _drop_if_empty(folder: Path) -> None:
    """A try that never finished leaves no empty folder behind to look like a result."""
    with contextlib.suppress(OSError):
        folder.rmdir()  # only succeeds when empty


def _took_s(record: Any) -> float | None:
    from datetime import datetime

    if not record.started_at or not record.finished_at:
        return None
    start, end = (datetime.fromisoformat(t) for t in (record.started_at, record.finished_at))
    return round(max((end - start).total_seconds(), 0.0), 2)


def summary_row(p: PlannedTry, record: Any) -> dict[str, Any]:
    take = record.take_file if record is not None else None
    row: dict[str, Any] = {
        "try": p.index,
        "name": p.attempt.name,
        "provider": p.provider.name,
        "options": dict(p.request.options),
        "kind": p.request.kind.value,
        "state": record.state if record is not None else "unknown",
        "cost_estimate_usd": p.cost_usd,
        "took_s": _took_s(record) if record is not None else None,
        "take": take,
        "message": record.message if record is not None else "",
        "note": p.note,
    }
    if take:
        row.update(take_levels(Path(take)))
    return row


def take_levels(take_file: Path) -> dict[str, Any]:
    """The target's and residual's RMS level (dBFS) and length: enough to spot an empty
    result or a try that kept everything, and to see that all tries line up frame for frame."""
    import numpy as np
    import soundfile as sf

    files = json.loads(take_file.read_text(encoding="utf-8"))["take"]["files"]
    out: dict[str, Any] = {}
    for role in ("target", "residual"):
        if role not in files:
            continue
        data, rate = sf.read(take_file.parent / files[role], dtype="float64", always_2d=True)
        rms = float(np.sqrt(np.mean(np.square(data)))) if data.size else 0.0
        out[f"{role}_dbfs"] = round(20 * np.log10(rms), 1) if rms > 0 else None
        out["frames"], out["sample_rate"] = len(data), rate
    return out


def write_summary(out: Path, source: str, planned: Sequence[PlannedTry], rows: list[dict]) -> Path:
    document = {
        "format": "isolde-compare",
        "version": 1,
        "source": source,
        "cost_estimate_usd": total_cost(planned),
        "tries": rows,
    }
    path = out / SUMMARY_FILE
    atomic_write_text(path, json.dumps(document, indent=2) + "\n")
    return path
