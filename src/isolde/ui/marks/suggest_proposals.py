"""Suggested spans waiting for the user's word: accept (a mark through the project, undoable)
or reject. No Qt.

A proposal's state is read from the project, not stored beside it: it counts as accepted while
the mark it made exists, so undoing an Accept (or an Accept all, one step) puts the proposals
back in the list, and redo takes them out again.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from isolde.core import state as st
from isolde.core.project import Project
from isolde.core.spans import Span, new_id
from isolde.core.state import ProjectState
from isolde.dsp.span_suggestions import Suggestion
from isolde.ui.marks.marks import EXCLUDE, INCLUDE

# Which proposals to offer: the CLI suggests both kinds; the user may want only one.
BOTH, SPEECH, GAPS = "both", "speech", "gaps"
CHOICES = {
    BOTH: "Speech (include) and gaps (exclude)",
    GAPS: "Gaps only: exclude where no speech is heard",
    SPEECH: "Speech only: include where speech is heard",
}
_runs = itertools.count(1)  # proposal ids stay unique across runs (the panel keys rows by id)


@dataclass(frozen=True)
class Proposal:
    id: str
    kind: str  # include | exclude
    start: float
    end: float
    confidence: float


@dataclass
class Proposals:
    items: list[Proposal] = field(default_factory=list)
    detector: str = ""
    choice: str = BOTH
    rejected: set[str] = field(default_factory=set)
    made: dict[str, str] = field(default_factory=dict)  # proposal id -> the mark it became

    @classmethod
    def from_suggestion(cls, suggestion: Suggestion, choice: str = BOTH) -> Proposals:
        run = next(_runs)
        items = [
            Proposal(f"r{run}p{i}", INCLUDE if s.include else EXCLUDE, s.start, s.end, s.confidence)
            for i, s in enumerate(suggestion.spans)
        ]
        return cls(items, suggestion.detector, choice)

    def offered(self, item: Proposal) -> bool:
        return self.choice == BOTH or item.kind == (INCLUDE if self.choice == SPEECH else EXCLUDE)

    def accepted(self, state: ProjectState | None) -> set[str]:
        if state is None:
            return set()
        ids = {s.id for s in state.spans}
        return {p for p, mark in self.made.items() if mark in ids}

    def pending(self, state: ProjectState | None) -> list[Proposal]:
        """The proposals still to decide on, in time order, of the kinds chosen."""
        done = self.accepted(state) | self.rejected
        return [p for p in self.items if p.id not in done and self.offered(p)]

    def find(self, proposal_id: str) -> Proposal | None:
        return next((p for p in self.items if p.id == proposal_id), None)

    def accept(self, project: Project, ids: Iterable[str]) -> list[str]:
        """Make marks of these proposals as one edit (one undo step); the new mark ids.

        One `Project.apply` rather than a group of `add_span`s: each of those would notify every
        view, and a long file's few hundred proposals would then take seconds per Accept all."""
        wanted = set(ids)
        chosen = [p for p in self.pending(project.state) if p.id in wanted]
        if not chosen:
            return []
        spans = [Span(p.start, p.end, p.kind == INCLUDE, id=new_id()) for p in chosen]
        label = (
            f"Accept suggested {chosen[0].kind} span"
            if len(chosen) == 1
            else f"Accept {len(chosen)} suggested spans"
        )
        # Recorded first, so the views the edit wakes already see them taken; were the edit
        # refused, `accepted` (read from the state) would still say they are not.
        self.made.update((p.id, span.id) for p, span in zip(chosen, spans, strict=True))
        project.apply(label, lambda state: _add_all(state, spans))
        return [span.id for span in spans]

    def reject(self, ids: Iterable[str]) -> None:
        self.rejected.update(ids)


def _add_all(state: ProjectState, spans: list[Span]) -> ProjectState:
    for span in spans:
        state = st.add_span(state, span)
    return state
