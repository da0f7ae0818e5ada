"""Short names for jobs and takes, built from the request that made them.

"Offline · 2 exclude spans", "fal.ai · the dog bark", "Repair 0:01.20–0:02.00 “birdsong”":
times in the ruler's h:mm:ss style, shortened to what a name needs. No Qt here: the jobs list,
the takes list, the lanes and the remix panel all read the same name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from isolde.core.errors import InputError

MAX_PROMPT = 40  # characters of a prompt kept in a name; the full prompt is in the job log


def short_time(seconds: float) -> str:
    """`m:ss.cc` (or `h:mm:ss.cc` past an hour): the ruler's format, to the hundredth."""
    if not math.isfinite(seconds):
        return "--:--"
    sign = "-" if seconds < 0 else ""
    cs = round(abs(seconds) * 100)  # round once, so 59.999 s reads 1:00.00, never 0:60.00
    h, rem = divmod(cs, 360_000)
    m, rem = divmod(rem, 6000)
    s, c = divmod(rem, 100)
    body = f"{h}:{m:02d}:{s:02d}.{c:02d}" if h else f"{m}:{s:02d}.{c:02d}"
    return sign + body


def short_range(start: float, end: float) -> str:
    return f"{short_time(start)}–{short_time(end)}"


@lru_cache(maxsize=32)
def engine_name(provider: str) -> str:
    """The engine's title without its aside: "Offline (this computer)" → "Offline"."""
    from isolde.providers.registry import get_provider

    try:
        title = get_provider(provider).title
    except (InputError, ImportError):
        return provider
    return title.split(" (")[0].strip() or provider


@lru_cache(maxsize=32)
def runs_here(provider: str) -> bool:
    """Whether the engine works on this computer: one that needs no key sends nothing away."""
    from isolde.providers.registry import get_provider

    try:
        return get_provider(provider).capabilities.key_env is None
    except (InputError, ImportError):
        return provider == "local"


def counted(n: int, noun: str) -> str:
    """ "1 job", "2 jobs": the number with its noun in the right grammatical number."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def request_name(provider: str, request: Mapping[str, Any]) -> str:
    """A job's or take's name from its provider name and its stored request (`Request.to_json`)."""
    region = _range(request.get("region"))
    if request.get("kind") == "inpaint" and region is not None:
        said = _prompt((request.get("region") or {}).get("prompt")) or _prompt(
            request.get("prompt")
        )
        return f"Repair {short_range(*region)}" + (f" “{said}”" if said else "")
    what = _prompt(request.get("prompt")) or _spans_text(request.get("spans"))
    if request.get("video_path"):
        what = f"{what} · video mask" if what else "video mask"
    name = f"{engine_name(provider)} · {what or 'no marks'}"
    selection = _range(request.get("selection"))
    return f"{name} · {short_range(*selection)}" if selection is not None else name


def _prompt(value: Any) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= MAX_PROMPT else text[: MAX_PROMPT - 1].rstrip() + "…"


def _range(value: Any) -> tuple[float, float] | None:
    try:
        start, end = float(value["start"]), float(value["end"])
    except (TypeError, KeyError, ValueError):
        return None
    return (start, end) if end > start else None


def _spans_text(spans: Any) -> str:
    """One span by its times, more by their counts: "2 exclude spans", "1 include, 3 exclude"."""
    try:
        marks = [(bool(s["include"]), float(s["start"]), float(s["end"])) for s in spans or ()]
    except (TypeError, KeyError, ValueError):
        return ""
    if len(marks) == 1:
        include, start, end = marks[0]
        return f"{'include' if include else 'exclude'} {short_range(start, end)}"
    included = sum(inc for inc, _, _ in marks)
    excluded = len(marks) - included
    if included and excluded:
        return f"{included} include, {excluded} exclude spans"
    if marks:
        return counted(len(marks), f"{'include' if included else 'exclude'} span")
    return ""
