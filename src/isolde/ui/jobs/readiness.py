"""Whether Separate and Inpaint have something to send, and the one-line hint when not.

What an engine needs is read from the engine itself — its declared request kinds and its own
request checks, asked about small probe requests — so a new engine gets the right hint without
a list here. Pure Python (no Qt).
"""

from __future__ import annotations

from collections.abc import Mapping
from weakref import WeakKeyDictionary

from isolde.core.errors import IsoldeError
from isolde.core.spans import InpaintRegion, Span, effective_spans
from isolde.core.state import ProjectState
from isolde.providers.base import Provider, Request, RequestKind
from isolde.ui.jobs.visual_plan import takes_pictures

# A description no keyword reader understands: an engine that accepts it follows descriptions.
PROBE_DESCRIPTION = "the dog barking in the distance"
PROBE_PATH = "probe.wav"
PROBE_SECONDS = 10.0
INPUT_FIELDS = ("prompt", "spans")  # problems about what the user gives, not about options


def _problems(provider: Provider, request: Request) -> Mapping[str, str]:
    """The engine's own check of a request; an engine that fails on a probe accepts it (the
    real request is validated in full when sent)."""
    try:
        return provider.check(request, PROBE_SECONDS)
    except (IsoldeError, ValueError, KeyError, TypeError):
        return {}


def _accepts_input(provider: Provider, request: Request) -> bool:
    if request.kind not in provider.capabilities.kinds:
        return False
    return not any(field in _problems(provider, request) for field in INPUT_FIELDS)


_NEEDS: WeakKeyDictionary[Provider, tuple[bool, bool, bool]] = WeakKeyDictionary()


def _needs(provider: Provider) -> tuple[bool, bool, bool]:
    """(follows descriptions, separates by exclude spans alone, by include spans alone)."""
    if provider not in _NEEDS:
        _NEEDS[provider] = _probe(provider)
    return _NEEDS[provider]


def _probe(provider: Provider) -> tuple[bool, bool, bool]:
    text = Request(RequestKind.TEXT, PROBE_PATH, prompt=PROBE_DESCRIPTION)
    exclude = Request(RequestKind.SPANS, PROBE_PATH, spans=(Span(1.0, 2.0, False, "p"),))
    include = Request(RequestKind.SPANS, PROBE_PATH, spans=(Span(1.0, 2.0, True, "p"),))
    return (
        _accepts_input(provider, text),
        _accepts_input(provider, exclude),
        _accepts_input(provider, include),
    )


def follows_descriptions(provider: Provider) -> bool:
    """True when the engine separates by an open description ("the dog barking")."""
    return _needs(provider)[0]


def accepts_prompt(provider: Provider, prompt: str) -> bool:
    """True when the engine's own check takes `prompt` as a text request by itself."""
    request = Request(RequestKind.TEXT, PROBE_PATH, prompt=prompt)
    return _accepts_input(provider, request)


def separate_hint(state: ProjectState, provider: Provider) -> str | None:
    """None when Separate has something the engine can use (what it makes of it is checked
    when sent); else one line saying what to give it."""
    if state.media is None:
        return "Open a recording to separate"
    if takes_pictures(state, provider):
        return None
    kinds = provider.capabilities.kinds
    if state.prompt.strip() and RequestKind.TEXT in kinds:
        return None
    if state.spans:
        spans = tuple(effective_spans(state.spans))
        request = Request(RequestKind.SPANS, state.media.path, spans=spans)
        if _accepts_input(provider, request):
            return None
    text, exclude, include = _needs(provider)
    marks = (
        "Mark where the sound is absent (E)"
        if exclude
        else "Mark where the sound is (I)"
        if include
        else ""
    )
    if marks and text:
        return f"{marks} or type what to keep"
    if marks:
        return f"{marks} to separate"
    if text:
        return "Type what to keep to separate"
    return f"{provider.title} cannot separate"


def inpaint_hint(state: ProjectState, provider: Provider) -> str | None:
    """None when there is a region to inpaint with an engine that inpaints; else one line."""
    if RequestKind.INPAINT not in provider.capabilities.kinds:
        return f"{provider.title} does not inpaint: choose another engine to regenerate regions"
    if not state.regions:
        return "Mark a stretch to regenerate with the inpaint tool (R) to inpaint"
    return None


def region_prompt_needed(provider: Provider) -> bool:
    """True when the engine refuses an inpaint region without its own prompt."""
    region = InpaintRegion(4.0, 5.0, id="p")
    request = Request(RequestKind.INPAINT, PROBE_PATH, region=region)
    return RequestKind.INPAINT in provider.capabilities.kinds and "prompt" in _problems(
        provider, request
    )


def region_prompts_line(state: ProjectState, provider: Provider) -> str:
    """Which regions lack the prompt this engine needs ("" when none does, or none lacks it)."""
    if not region_prompt_needed(provider):
        return ""
    missing = sum(not r.prompt.strip() for r in state.regions)
    if not missing:
        return ""
    which = "1 inpaint region has" if missing == 1 else f"{missing} inpaint regions have"
    return f"{which} no prompt: {provider.title} needs one (Prompt column, Marks list)"
