"""Spans and inpaint regions as one list of marks, the way the timeline and the list show them."""

from __future__ import annotations

from dataclasses import dataclass

from isolde.core.project import Project
from isolde.core.spans import InpaintRegion, Span
from isolde.core.state import ProjectState

INCLUDE, EXCLUDE, INPAINT = "include", "exclude", "inpaint"
KINDS = (INCLUDE, EXCLUDE, INPAINT)


@dataclass(frozen=True)
class Mark:
    id: str
    kind: str  # include | exclude | inpaint
    start: float
    end: float
    prompt: str = ""
    order: int = 0  # position in the project's list: where spans overlap, the later wins

    @property
    def is_region(self) -> bool:
        return self.kind == INPAINT


def marks_of(state: ProjectState) -> list[Mark]:
    """Spans (in the order added), then inpaint regions."""
    marks = [Mark(s.id, s.kind, s.start, s.end, "", i) for i, s in enumerate(state.spans)]
    marks += [Mark(r.id, INPAINT, r.start, r.end, r.prompt, i) for i, r in enumerate(state.regions)]
    return marks


def in_time_order(marks: list[Mark]) -> list[Mark]:
    """By start, then end; ties keep the project's order (sorted() is stable)."""
    return sorted(marks, key=lambda m: (m.start, m.end))


def find_mark(state: ProjectState, mark_id: str | None) -> Mark | None:
    if mark_id is None:
        return None
    return next((m for m in marks_of(state) if m.id == mark_id), None)


def add_mark(project: Project, kind: str, start: float, end: float, prompt: str = "") -> str:
    if kind == INPAINT:
        return project.add_region(start, end, prompt=prompt)
    return project.add_span(start, end, include=kind == INCLUDE)


def move_mark(
    project: Project, mark: Mark, start: float, end: float, merge_key: str | None = None
) -> None:
    if mark.is_region:
        project.update_region(mark.id, start=start, end=end, merge_key=merge_key)
    else:
        project.update_span(mark.id, start=start, end=end, merge_key=merge_key)


def remove_mark(project: Project, mark: Mark) -> None:
    if mark.is_region:
        project.remove_region(mark.id)
    else:
        project.remove_span(mark.id)


def set_kind(project: Project, mark: Mark, kind: str) -> str:
    """Change a mark's kind; between span and region it is replaced (one undo step). New id."""
    if kind == mark.kind:
        return mark.id
    if not mark.is_region and kind != INPAINT:
        project.update_span(mark.id, include=kind == INCLUDE)
        return mark.id
    with project.group(f"Make {kind}"):
        remove_mark(project, mark)
        return add_mark(project, kind, mark.start, mark.end, mark.prompt)


def as_core(state: ProjectState, mark: Mark) -> Span | InpaintRegion:
    if mark.is_region:
        return next(r for r in state.regions if r.id == mark.id)
    return next(s for s in state.spans if s.id == mark.id)
