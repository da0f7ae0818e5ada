"""What Apply writes: the range it covers and the AppliedEdit for a take. No Qt.

A separation take is applied as a remix at the current gains over the whole file or the chosen
range (the selected mark, else the in/out range), with short crossfades at a range's edges (none
at the file's ends, where there is nothing to fade from). An inpaint take replaces its region.
"""

from __future__ import annotations

from dataclasses import dataclass

from isolde.core.edits import DEFAULT_FADE_S, RESIDUAL_GAIN_RANGE, TARGET_GAIN_RANGE, AppliedEdit
from isolde.core.state import ProjectState
from isolde.core.takes import Take
from isolde.ui.marks.marks import find_mark
from isolde.ui.results.listen_mix import Listening
from isolde.ui.results.take_info import take_region


@dataclass(frozen=True)
class ChosenRange:
    start: float
    end: float
    what: str  # for messages: "the selected mark", "the in/out range", "the whole file"


def chosen_range(
    state: ProjectState, selected: str | None, in_out: tuple[float, float] | None
) -> ChosenRange | None:
    """The selected mark's range, else the in/out range, else None."""
    mark = find_mark(state, selected)
    if mark is not None:
        return ChosenRange(mark.start, mark.end, "the selected mark")
    if in_out is not None:
        return ChosenRange(in_out[0], in_out[1], "the in/out range")
    return None


def whole_file(duration: float) -> ChosenRange:
    return ChosenRange(0.0, duration, "the whole file")


def range_for(take: Take, rng: ChosenRange | None, duration: float) -> ChosenRange:
    """Where `take` goes: an inpaint take's own region first, else `rng`, else everything."""
    if take.kind == "inpaint":
        region = take_region(take)
        if region is not None:
            return ChosenRange(region[0], min(region[1], duration), "its region")
    return rng or whole_file(duration)


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def edit_for(take: Take, listening: Listening, rng: ChosenRange, duration: float) -> AppliedEdit:
    """The AppliedEdit for `take` over `rng` at the listening gains (validated)."""
    start, end = max(0.0, rng.start), min(rng.end, duration)
    at_start, at_end = start <= 0.0, end >= duration
    fade = 0.0 if at_start and at_end else min(DEFAULT_FADE_S, (end - start) / 2)
    if take.kind == "inpaint":
        edit = AppliedEdit(take.id, start, end, kind="inpaint", fade_s=fade)
    else:
        residual = listening.residual_gain_db
        edit = AppliedEdit(
            take.id,
            start,
            end,
            target_gain_db=_clamp(listening.target_gain_db, TARGET_GAIN_RANGE),
            residual_gain_db=None if residual is None else _clamp(residual, RESIDUAL_GAIN_RANGE),
            fade_s=fade,
        )
    return edit.validate(duration)
