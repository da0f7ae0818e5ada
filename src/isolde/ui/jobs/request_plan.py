"""What Separate and Inpaint would send: requests built from the project, checked and priced.

Pure functions over an immutable `ProjectState`, so the panel can show problems and estimates
while the user edits, and the submit flow sends exactly what was shown.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from isolde.core.errors import IsoldeError, ValidationError
from isolde.core.settings import load_settings
from isolde.core.spans import effective_spans
from isolde.core.state import ProjectState
from isolde.jobs.naming import engine_name, request_name
from isolde.jobs.preparation import MaskVideoSpec
from isolde.jobs.record import JobRecord
from isolde.providers.base import Provider, Request, RequestKind, TimeRange
from isolde.providers.net.keys import missing_key_message
from isolde.providers.selection import with_default_selection
from isolde.providers.windows import context_for
from isolde.ui.jobs.readiness import separate_hint
from isolde.ui.jobs.visual_plan import mask_hint, mask_spec, takes_pictures

SEPARATE, INPAINT = "separate", "inpaint"
# Above this cost, or LARGE_AUDIO_S of audio, the user confirms first: the defaults of the
# thresholds the user sets in Settings (`confirm_limits`).
LARGE_COST_USD = 1.0
LARGE_AUDIO_S = 600.0
# Rough engine speeds when this project has no finished job to go by: (fixed s, s per audio s).
# The offline engine measured ~0.01 s per second of audio; cloud queues vary a lot.
ROUGH_SPEED = {"local": (0.5, 0.02)}
ROUGH_CLOUD_SPEED = (20.0, 0.5)


@dataclass(frozen=True)
class PlannedJob:
    request: Request
    label: str
    cost_usd: float | None
    audio_s: float  # seconds of audio the engine is sent
    mask: MaskVideoSpec | None = None  # a visual job's mask video, rendered as it starts


@dataclass(frozen=True)
class Plan:
    action: str
    provider: Provider
    jobs: tuple[PlannedJob, ...] = ()
    problems: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.jobs)

    @property
    def cost_usd(self) -> float | None:
        known = [j.cost_usd for j in self.jobs if j.cost_usd is not None]
        return round(sum(known), 4) if known else None

    @property
    def audio_s(self) -> float:
        return sum(j.audio_s for j in self.jobs)

    @property
    def large(self) -> bool:
        cost_limit, audio_limit = confirm_limits()
        return (self.cost_usd or 0.0) > cost_limit or self.audio_s > audio_limit


def confirm_limits() -> tuple[float, float]:
    """(dollars, seconds of audio) above which a job asks first: the user's settings, read at
    the moment of asking (the Settings dialog may have changed them since the plan was made)."""
    settings = load_settings()
    return settings.confirm_cost_usd, settings.confirm_audio_s


def separate_kind(state: ProjectState, provider: Provider) -> RequestKind:
    """The picture when a mask is chosen and the engine takes it; else spans when there are any
    and the engine takes them, else the prompt (text)."""
    kinds = provider.capabilities.kinds
    if takes_pictures(state, provider):
        return RequestKind.VISUAL
    if state.spans and RequestKind.SPANS in kinds:
        return RequestKind.SPANS
    if state.prompt.strip() and RequestKind.TEXT in kinds:
        return RequestKind.TEXT
    return RequestKind.SPANS if state.spans else RequestKind.TEXT


def options_for(provider: Provider, kind: RequestKind, options: Mapping[str, Any]) -> dict:
    """The stored options that apply to `kind` (unknown names are kept: validation names them).

    One option set serves Separate and Inpaint, so an inpaint-only option must not reach a
    separation request (the provider would reject it).
    """
    out = {}
    for name, value in options.items():
        spec = provider.capabilities.option(name)
        if spec is None or spec.applies_to(kind):
            out[name] = value
    return out


def plan_separate(
    state: ProjectState, provider: Provider, selection: TimeRange | None = None
) -> Plan:
    if state.media is None:
        return Plan(SEPARATE, provider, problems={"media": "open a recording first"})
    kind = separate_kind(state, provider)
    hint = mask_hint(state, provider)
    notes: tuple[str, ...] = (hint,) if hint else ()
    spans = tuple(effective_spans(state.spans)) if kind is RequestKind.SPANS else ()
    if state.spans and kind is RequestKind.TEXT:
        notes += (f"{provider.title} does not take spans: only the prompt is sent",)
    # A visual request's mask file is named when the job gets its folder (see SubmitFlow).
    mask = mask_spec(state, provider) if kind is RequestKind.VISUAL else None
    request = Request(
        kind,
        state.media.path,
        prompt=state.prompt,
        spans=spans,
        options=options_for(provider, kind, state.options),
        selection=selection,
        video_path=state.media.path if mask is not None else None,
    )
    label = request_name(provider.name, request.to_json())
    if mask is not None:
        label += " of " + ", ".join(f"'{m.name}'" for m in mask.objects)
    return _checked(SEPARATE, provider, [(request, label)], state.media.duration, notes, mask)


def plan_inpaint(
    state: ProjectState,
    provider: Provider,
    selected: str | None = None,
    selection: TimeRange | None = None,
) -> Plan:
    """The selected inpaint region, or every region (one job each)."""
    if state.media is None:
        return Plan(INPAINT, provider, problems={"media": "open a recording first"})
    regions = [r for r in state.regions if r.id == selected] or list(state.regions)
    if not regions:
        return Plan(
            INPAINT,
            provider,
            problems={"region": "no inpaint region: mark the stretch with the inpaint tool (R)"},
        )
    options = options_for(provider, RequestKind.INPAINT, state.options)
    requests = []
    for region in regions:
        # A region's prompt is its own: the Separate prompt describes what to keep, not what
        # to generate, so an empty one stays empty (an engine that needs one says so).
        request = Request(
            RequestKind.INPAINT,
            state.media.path,
            prompt=region.prompt,
            region=region,
            options=options,
            selection=selection,
        )
        # Cloud inpainting sends only the region: say so in the stored request, so that a
        # resumed job is never mistaken for a whole-file one.
        request = with_default_selection(provider, request)
        requests.append((request, request_name(provider.name, request.to_json())))
    plan = _checked(INPAINT, provider, requests, state.media.duration, ())
    return replace(plan, problems=_region_prompt_problems(plan.problems))


def _region_prompt_problems(problems: Mapping[str, str]) -> dict[str, str]:
    """An inpaint prompt problem concerns the region's own prompt: show it beside the marks,
    where that prompt is typed, not under the Separate prompt box."""
    out = {k: v for k, v in problems.items() if k != "prompt"}
    if "prompt" in problems:
        where = f"{problems['prompt']} — type it in the region's Prompt cell in the Marks list"
        out["region"] = f"{out['region']}\n{where}" if "region" in out else where
    return out


def _checked(
    action: str,
    provider: Provider,
    requests: list[tuple[Request, str]],
    duration: float,
    notes: tuple[str, ...],
    mask: MaskVideoSpec | None = None,
) -> Plan:
    problems: dict[str, str] = {}
    jobs = []
    for request, label in requests:
        found = request_problems(provider, request, duration)
        if len(requests) > 1:
            found = {k: f"{label}: {v}" for k, v in found.items()}
        for key, message in found.items():
            problems[key] = f"{problems[key]}\n{message}" if key in problems else message
        sent = sent_seconds(request, duration)
        jobs.append(PlannedJob(request, label, cost_of(provider, request, sent), sent, mask))
    return Plan(action, provider, tuple(jobs), problems, notes)


def request_problems(provider: Provider, request: Request, duration: float) -> dict[str, str]:
    try:
        provider.validate(request, duration)
        return {}
    except ValidationError as exc:
        return dict(exc.problems)


def key_problem(provider: Provider) -> dict[str, str]:
    """A missing key, as a problem shown beside the engine choice (looked up only on demand:
    reading the OS keyring can be slow)."""
    env = provider.capabilities.key_env
    if env is None or provider.key_configured():
        return {}
    return {"key": missing_key_message(env, provider.title)}


def sent_seconds(request: Request, duration: float) -> float:
    if request.selection is None:
        return duration
    context = context_for(request.kind)
    start = max(0.0, request.selection.start - context)
    return min(duration, request.selection.end + context) - start


def cost_of(provider: Provider, request: Request, sent: float) -> float | None:
    try:
        return provider.estimate_cost(request, sent)
    except (IsoldeError, ValueError, KeyError):
        return None  # bad options: validation reports them


def time_estimate(
    provider: Provider, audio_s: float, history: Iterable[JobRecord]
) -> tuple[float, str]:
    """(seconds, basis): from this project's finished jobs on the engine, else a rough rule."""
    took = [t for r in history if r.provider == provider.name and (t := _took(r)) is not None]
    if took:
        recent = took[-5:]
        engine = engine_name(provider.name)
        basis = (
            f"like your last {engine} job"
            if len(recent) == 1
            else (f"like your last {len(recent)} {engine} jobs")
        )
        return statistics.median(recent), basis
    fixed, per_s = ROUGH_SPEED.get(provider.name, ROUGH_CLOUD_SPEED)
    return fixed + per_s * audio_s, "a rough guess"


def _took(record: JobRecord) -> float | None:
    if record.state != "done" or not record.started_at or not record.finished_at:
        return None
    try:
        start = datetime.fromisoformat(record.started_at)
        end = datetime.fromisoformat(record.finished_at)
    except ValueError:
        return None
    return max((end - start).total_seconds(), 0.0)


def marks_summary(state: ProjectState, provider: Provider) -> str:
    include = sum(s.include for s in state.spans)
    kind = separate_kind(state, provider)
    hint = mask_hint(state, provider)
    sends = "the spans" if kind is RequestKind.SPANS else "the prompt"
    if separate_hint(state, provider) is not None:
        sends = "nothing yet"
    if kind is RequestKind.VISUAL:
        sends, hint = hint.removeprefix("Separate sends "), ""
    text = (
        f"Marks: {include} include, {len(state.spans) - include} exclude, "
        f"{len(state.regions)} inpaint — Separate sends {sends}"
    )
    return f"{text}\n{hint}" if hint else text


def separate_text(state: ProjectState, provider: Provider) -> str:
    """The Separate button: it says so when it sends the picture."""
    return "Separate (video mask)" if takes_pictures(state, provider) else "Separate"


def inpaint_text(state: ProjectState, selected: str | None) -> str:
    """The Inpaint button: the selected region, else every region (one job each)."""
    if any(r.id == selected for r in state.regions) or len(state.regions) == 1:
        return "Inpaint region"
    return f"Inpaint {len(state.regions)} regions" if state.regions else "Inpaint"
