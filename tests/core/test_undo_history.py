"""History on its own (any state type) and through the project's edits."""

from __future__ import annotations

import itertools

import pytest
from core_helpers import make_media
from hypothesis import given, settings
from hypothesis import strategies as st_

from isolde.core.errors import InputError
from isolde.core.history import History
from isolde.core.project import Project
from isolde.core.state import ProjectState


def ints(values: list[int], limit: int = 500) -> History[int]:
    h: History[int] = History(limit)
    for before, after in itertools.pairwise(values):
        h.push(f"to {after}", before, after)
    return h


def test_undo_redo_walks_states_and_labels() -> None:
    h = ints([0, 1, 2])
    assert (h.can_undo, h.can_redo, h.undo_label, h.redo_label) == (True, False, "to 2", None)
    assert h.undo() == 1
    assert h.redo_label == "to 2"
    assert h.undo() == 0
    assert h.undo() is None
    assert h.redo() == 1
    assert h.redo() == 2
    assert h.redo() is None


def test_a_new_edit_after_undo_drops_the_redo_branch() -> None:
    h = ints([0, 1, 2])
    h.undo()
    h.push("other", 1, 5)
    assert not h.can_redo
    assert h.labels == (["to 1", "other"], [])


def test_equal_states_record_nothing() -> None:
    h: History[int] = History()
    h.push("nothing", 3, 3)
    assert len(h) == 0


def test_merge_key_coalesces_a_drag_until_closed() -> None:
    h: History[int] = History()
    for before in range(5):
        h.push("drag", before, before + 1, merge_key="drag:a")
    assert len(h) == 1
    h.close_merge()
    h.push("drag", 5, 6, merge_key="drag:a")
    h.push("other drag", 6, 7, merge_key="drag:b")
    assert len(h) == 3
    assert h.undo() == 6
    assert h.undo() == 5
    assert h.undo() == 0


def test_a_drag_back_to_its_start_leaves_no_step() -> None:
    h = ints([0, 1])
    h.push("drag", 1, 2, merge_key="k")
    h.push("drag", 2, 1, merge_key="k")
    assert len(h) == 1
    h.push("drag", 1, 3, merge_key="k")  # a fresh step, not merged into "to 1"
    assert h.undo() == 1
    assert h.undo() == 0


def test_groups_nest_and_make_one_step_named_by_the_outermost() -> None:
    h: History[int] = History()
    with h.group("outer"):
        h.push("a", 0, 1)
        with h.group("inner"):
            h.push("b", 1, 2, merge_key="x")
            h.push("c", 2, 3)
        assert h.in_group and h.dirty
    assert len(h) == 1 and h.undo_label == "outer"
    assert h.undo() == 0
    with h.group("empty"):
        pass
    assert not h.can_undo


def test_group_misuse_is_a_programming_error() -> None:
    h: History[int] = History()
    with pytest.raises(RuntimeError):
        h.end()
    h.begin("g")
    with pytest.raises(RuntimeError):
        h.undo()


def test_limit_drops_the_oldest_steps() -> None:
    h = ints(list(range(10)), limit=3)
    assert len(h) == 3
    assert [h.undo() for _ in range(4)] == [8, 7, 6, None]


def test_clean_marker() -> None:
    h = ints([0, 1])
    assert h.dirty
    h.mark_clean()
    assert not h.dirty
    h.push("x", 1, 2, merge_key="k")
    assert h.dirty
    h.undo()
    assert not h.dirty
    h.undo()
    assert h.dirty
    h.push("branch", 0, 9)  # the saved state is no longer reachable
    assert h.dirty
    h.undo()
    assert h.dirty


def test_saving_mid_drag_keeps_the_saved_step_intact() -> None:
    h: History[int] = History()
    h.push("drag", 0, 1, merge_key="k")
    h.mark_clean()
    h.push("drag", 1, 2, merge_key="k")
    assert len(h) == 2 and h.dirty
    h.undo()
    assert not h.dirty


def test_clean_marker_falls_off_with_the_limit() -> None:
    h = ints([0, 1], limit=2)
    h.undo()
    h.mark_clean()  # at state 0
    h.redo()
    h.push("x", 1, 2)
    h.push("y", 2, 3)  # state 0 is out of reach now
    while h.undo() is not None:
        assert h.dirty


# -- through the project, with hypothesis ----------------------------------------------------

ops = st_.lists(
    st_.tuples(
        st_.sampled_from(["add", "move", "flip", "remove", "prompt", "drag", "release"]),
        st_.integers(0, 39),
        st_.integers(1, 40),
        st_.integers(0, 9),
    ),
    max_size=25,
)


def run(project: Project, op: tuple[str, int, int, int]) -> None:
    kind, a, length, pick = op
    spans = project.state.spans
    target = spans[pick % len(spans)].id if spans else "missing"
    start, end = a * 0.25, min(a * 0.25 + length * 0.25, 10.0)
    try:
        if kind == "add":
            project.add_span(start, end, include=pick % 2 == 0)
        elif kind == "move":
            project.update_span(target, start=start, end=end)
        elif kind == "flip":
            project.update_span(target, include=pick % 2 == 1)
        elif kind == "remove":
            project.remove_span(target)
        elif kind == "prompt":
            project.set_prompt(f"sound {pick}", merge_key="prompt")
        elif kind == "drag":
            project.update_span(target, start=start, end=end, merge_key=f"drag:{target}")
        else:
            project.close_merge()
    except InputError:
        pass  # invalid edits (e.g. an empty span) are refused and record nothing


@settings(max_examples=150, deadline=None)
@given(ops)
def test_undo_all_then_redo_all(sequence: list[tuple[str, int, int, int]]) -> None:
    project = Project(ProjectState(media=make_media()))
    initial = project.state
    for op in sequence:
        run(project, op)
    final = project.state
    undone = 0
    while project.undo():
        undone += 1
    assert project.state == initial
    assert not project.dirty
    for _ in range(undone):
        assert project.redo()
    assert project.state == final
    assert not project.redo()


@settings(max_examples=100, deadline=None)
@given(st_.lists(st_.tuples(st_.integers(0, 36), st_.integers(1, 4)), min_size=1, max_size=30))
def test_a_drag_is_one_step(moves: list[tuple[int, int]]) -> None:
    project = Project()
    span = project.add_span(0, 1)
    after_add = project.state
    for a, length in moves:
        project.update_span(span, start=a * 0.25, end=(a + length) * 0.25, merge_key="drag")
    project.close_merge()
    moved = project.state
    if moved == after_add:  # dragged back to where it began: nothing to undo
        assert len(project.history) == 1
        return
    assert len(project.history) == 2
    assert project.history.undo_label == "Move span"
    assert project.undo()
    assert project.state == after_add
    assert project.redo()
    assert project.state == moved


@settings(max_examples=100, deadline=None)
@given(ops)
def test_a_group_is_one_step(sequence: list[tuple[str, int, int, int]]) -> None:
    project = Project()
    project.add_span(0, 1)
    start = project.state
    with project.group("many"):
        for op in sequence:
            run(project, op)
    end = project.state
    assert len(project.history) == (1 if end == start else 2)
    project.undo()
    assert project.state == (start if end != start else Project().state)
