"""How a take is described to the user: its title, region, time, cost and stereo image.

No Qt here; the takes list and the remix panel share these so a take reads the same everywhere.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from isolde.audio import probe
from isolde.core.errors import IsoldeError
from isolde.core.takes import Take
from isolde.jobs.naming import request_name

RESULT_ROLES = ("target", "inpainted")  # the file whose channels tell how a take was stored


def take_region(take: Take) -> tuple[float, float] | None:
    """An inpaint take's region (start, end) in seconds, from the request that made it."""
    region: Any = take.request.get("region")
    try:
        start, end = float(region["start"]), float(region["end"])
    except (TypeError, KeyError, ValueError):
        return None
    return (start, end) if end > start else None


def take_title(take: Take) -> str:
    """The user's name for the take, else a short name made from the request ("Offline · 2
    exclude spans"). Takes made before names existed stored their prompt as the label: that
    reads as no name, so they get the made-up name too."""
    label = take.label.strip()
    if label and label != str(take.request.get("prompt", "")).strip():
        return label
    return request_name(take.provider, take.request)


def created_text(take: Take) -> str:
    """Local date and time, to the minute."""
    try:
        when = datetime.fromisoformat(take.created_at.replace("Z", "+00:00"))
    except ValueError:
        return take.created_at
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def cost_text(take: Take) -> str:
    if take.cost_usd is None:
        return "free" if take.provider == "local" else "—"
    return f"${take.cost_usd:.3f}"


@lru_cache(maxsize=256)
def _channels(path: str) -> int | None:
    try:
        return probe(path).channels
    except (IsoldeError, OSError):
        return None


def stereo_text(take: Take, source_channels: int) -> str:
    """Whether the take keeps the source's stereo image (re-projected when stored) or is the
    engine's own mono output."""
    path = next((take.files[r] for r in RESULT_ROLES if r in take.files), None)
    channels = _channels(path) if path else None
    if channels is None:
        return "file missing"
    if source_channels == 1:
        return "mono source"
    if channels == source_channels:
        return "stereo kept" if channels == 2 else f"{channels} ch kept"
    if channels == 1:
        return "engine mono"
    return f"{channels} ch"


def result_roles(take: Take) -> tuple[str, ...]:
    """The take's lanes, top to bottom."""
    if take.kind == "inpaint" or "inpainted" in take.files:
        return ("inpainted",)
    return tuple(r for r in ("target", "residual") if r in take.files)


def check_text(take: Take) -> str:
    """The takes list's Check cell: "⚠ " and the first problem's gist, "ok" for a take that
    passed, "" for one never checked (made before the check existed, or an inpaint)."""
    problems = take.problems
    if problems:
        gist = problems[0].split(" — ")[0].split(" (")[0]
        more = f" (+{len(problems) - 1})" if len(problems) > 1 else ""
        return f"⚠ {gist}{more}"
    return "ok" if "measures" in take.checks else ""


def check_tooltip(take: Take) -> str:
    """Every problem in full, then the spans the engine predicted, if any."""
    lines = [f"⚠ {p}" for p in take.problems]
    if not lines and "measures" in take.checks:
        lines.append("The result check found nothing wrong.")
    spans = take.predicted_spans
    if spans:
        lines.append(
            "The engine heard the sound at " + ", ".join(f"{a:.2f}–{b:.2f} s" for a, b in spans)
        )
    return "\n".join(lines)


def take_line(take: Take) -> str:
    """The remix panel's line for a take: its title, and under it the check's first problem."""
    problems = take.problems
    return take_title(take) + (f"\n⚠ {problems[0]}" if problems else "")
