"""What Compare would send from the editor: the project's marks and prompt as one base request,
then each try as its engine takes it (`jobs.compare`), priced and checked. No Qt here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from isolde.core.spans import effective_spans
from isolde.core.state import ProjectState
from isolde.jobs.compare import PlannedTry, Try, cost_text, survey_tries, total_cost
from isolde.providers.base import Provider, Request, RequestKind, TimeRange
from isolde.providers.registry import get_provider

# What the dialog offers first: the project's engine against the ones most often compared.
SUGGESTED = (Try("local"), Try("fal"), Try("fal", {"reranking_candidates": "4"}), Try("audiolasso"))


@dataclass(frozen=True)
class ComparePlan:
    tries: tuple[PlannedTry, ...] = ()
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and len(self.tries) >= 2

    @property
    def cost_usd(self) -> float | None:
        return total_cost(self.tries)

    @property
    def cost_text(self) -> str:
        return cost_text(self.tries) if self.tries else ""


def base_request(state: ProjectState, selection: TimeRange | None = None) -> Request | None:
    """The marks and prompt every try gets (spans when there are any, else the prompt)."""
    if state.media is None:
        return None
    spans = tuple(effective_spans(state.spans))
    return Request(
        RequestKind.SPANS if spans else RequestKind.TEXT,
        state.media.path,
        prompt=state.prompt,
        spans=spans,
        options=dict(state.options),
        selection=selection,
    )


def plan_compare(
    state: ProjectState,
    tries: Sequence[Try],
    selection: TimeRange | None = None,
    providers: Callable[[str], Provider] = get_provider,
) -> ComparePlan:
    base = base_request(state, selection)
    if base is None or state.media is None:
        return ComparePlan(problems={"media": "open a recording first"})
    if not base.spans and not base.prompt.strip():
        return ComparePlan(problems={"marks": "mark the target with spans or type a prompt first"})
    planned, problems = survey_tries(tries, base, state.media.duration, providers=providers)
    return ComparePlan(tuple(planned), problems)


def default_tries(state: ProjectState, available: Sequence[str]) -> list[Try]:
    """The project's engine first, then the suggested ones this version has (no repeats)."""
    out = [Try(state.provider)] if state.provider in available else []
    out += [t for t in SUGGESTED if t.provider in available and t not in out]
    return out[:4]
