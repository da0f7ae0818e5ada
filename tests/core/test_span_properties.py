"""Properties of the later-wins overlap rule, over spans built through the project's edits.

Times are drawn on a quarter-second grid so that "which span covers this point" can be checked
exactly at the midpoint of every grid cell.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st_

from isolde.core import state as st
from isolde.core.spans import Span, effective_spans
from isolde.core.state import ProjectState

GRID = 0.25
CELLS = 40  # media of 10 s


@st_.composite
def span_lists(draw: st_.DrawFn) -> list[Span]:
    n = draw(st_.integers(0, 8))
    spans = []
    for i in range(n):
        a = draw(st_.integers(0, CELLS - 1))
        b = draw(st_.integers(a + 1, CELLS))
        spans.append(Span(a * GRID, b * GRID, draw(st_.booleans()), id=f"s{i}"))
    return spans


def built(spans: list[Span]) -> ProjectState:
    state = ProjectState()
    for span in spans:
        state = st.add_span(state, span)
    return state


def covering(spans: list[Span], t: float) -> Span | None:
    """The last-added span covering t, or None."""
    found = None
    for s in spans:
        if s.start <= t < s.end:
            found = s
    return found


@settings(max_examples=300)
@given(span_lists())
def test_effective_spans_are_sorted_disjoint_and_follow_the_last_added(spans: list[Span]) -> None:
    state = built(spans)
    flat = effective_spans(state.spans)
    for a, b in itertools.pairwise(flat):
        assert a.start <= b.start
        assert a.end <= b.start + 1e-9, "pieces overlap"
    for piece in flat:
        assert piece.start < piece.end
    for cell in range(CELLS):
        t = (cell + 0.5) * GRID
        want = covering(spans, t)
        got = covering(flat, t)
        if want is None:
            assert got is None, f"{t} s is covered by nothing in the input"
        else:
            assert got is not None, f"{t} s lost its span"
            assert (got.include, got.id) == (want.include, want.id)


@settings(max_examples=200)
@given(span_lists(), st_.data())
def test_moving_a_span_keeps_its_rank(spans: list[Span], data: st_.DataObject) -> None:
    if not spans:
        return
    state = built(spans)
    victim = data.draw(st_.sampled_from(spans))
    a = data.draw(st_.integers(0, CELLS - 1))
    b = data.draw(st_.integers(a + 1, CELLS))
    moved = st.update_span(state, victim.id, start=a * GRID, end=b * GRID)
    assert [s.id for s in moved.spans] == [s.id for s in spans]
    expected = [
        Span(a * GRID, b * GRID, s.include, id=s.id) if s.id == victim.id else s for s in spans
    ]
    for cell in range(CELLS):
        t = (cell + 0.5) * GRID
        want = covering(expected, t)
        got = covering(effective_spans(moved.spans), t)
        assert (got and (got.id, got.include)) == (want and (want.id, want.include))
