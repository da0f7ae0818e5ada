"""Project: edits through the history, listeners, groups, labels."""

from __future__ import annotations

from pathlib import Path

import pytest
from core_helpers import make_media, make_take

from isolde.core.errors import InputError, SpanError
from isolde.core.media import MediaRef
from isolde.core.project import Project
from isolde.core.spans import Span
from isolde.core.state import ProjectState


def test_new_for_media_is_clean_and_bounded(media: MediaRef) -> None:
    project = Project.new_for_media(media)
    assert project.state.media == media
    assert not project.dirty and project.path is None and project.name == "Untitled"
    with pytest.raises(SpanError, match="after the end of the media"):
        project.add_span(5, 11)
    assert not project.history.can_undo


def test_convenience_edits_and_labels(media: MediaRef) -> None:
    project = Project.new_for_media(media)
    a = project.add_span(1, 3)
    b = project.add_span(2, 4, include=False)
    project.update_span(a, start=0.5)
    project.update_span(a, start=1, end=2)
    project.update_span(b, include=True)
    r = project.add_region(5, 6, "rain", seed=1)
    project.update_region(r, prompt="wind")
    project.set_prompt("speech")
    project.set_provider("fal", {"guidance": 3})
    project.set_provider("fal", {"guidance": 4})
    project.add_take(make_take("t1"))
    project.set_active_take(None)
    project.remove_region(r)
    project.remove_span(b)
    done, undone = project.history.labels
    assert done == [
        "Add include span",
        "Add exclude span",
        "Resize span",
        "Move span",
        "Mark span as include",
        "Add inpaint region",
        "Edit inpaint region",
        "Edit prompt",
        "Choose engine",
        "Change options",
        "Add take",
        "Choose take",
        "Delete inpaint region",
        "Delete span",
    ]
    assert undone == []
    assert [s.id for s in project.state.spans] == [a]


def test_apply_records_nothing_for_an_unchanged_state() -> None:
    project = Project()
    project.set_prompt("")
    project.apply("noop", lambda s: s)
    assert len(project.history) == 0 and not project.dirty
    with pytest.raises(TypeError):
        project.apply("bad", lambda s: None)  # type: ignore[arg-type, return-value]


def test_a_refused_edit_changes_nothing(media: MediaRef) -> None:
    project = Project.new_for_media(media)
    seen: list[str] = []
    project.subscribe(lambda state, reason: seen.append(reason))
    before = project.state
    with pytest.raises(InputError):
        project.update_span("nope", start=1)
    assert project.state is before and seen == [] and len(project.history) == 0


def test_listeners_hear_edits_undo_redo_save_and_revert(tmp_path: Path, media: MediaRef) -> None:
    project = Project.new_for_media(media)
    calls: list[tuple[int, str]] = []
    unsubscribe = project.subscribe(lambda state, reason: calls.append((len(state.spans), reason)))
    project.add_span(1, 2)
    project.undo()
    project.redo()
    project.save(tmp_path / "p.isolde")
    project.add_span(3, 4)
    project.revert()
    assert calls == [(1, "edit"), (0, "undo"), (1, "redo"), (1, "save"), (2, "edit"), (1, "load")]
    assert not project.history.can_undo and not project.dirty
    unsubscribe()
    unsubscribe()  # twice is harmless
    project.add_span(5, 6)
    assert len(calls) == 6


def test_every_listener_runs_even_if_one_fails() -> None:
    project = Project()
    heard: list[str] = []

    def broken(state: ProjectState, reason: str) -> None:
        raise ValueError("view bug")

    project.subscribe(broken)
    project.subscribe(lambda state, reason: heard.append(reason))
    with pytest.raises(ValueError, match="view bug"):
        project.set_prompt("x")
    assert heard == ["edit"] and project.state.prompt == "x"


def test_group_is_one_step_and_rolls_back_on_error(media: MediaRef) -> None:
    project = Project.new_for_media(media)
    keep = project.add_span(1, 2)
    with project.group("Split span"):
        project.update_span(keep, end=1.5)
        project.add_span(1.5, 2)
    assert project.history.undo_label == "Split span" and len(project.history) == 2
    before = project.state
    with pytest.raises(SpanError), project.group("Bad multi-edit"):
        project.add_span(3, 4)
        project.add_span(4, 99)
    assert project.state == before and len(project.history) == 2
    project.undo()
    assert [(s.start, s.end) for s in project.state.spans] == [(1.0, 2.0)]


def test_an_inner_group_failure_rolls_back_only_the_inner_group() -> None:
    project = Project()
    with project.group("outer"):
        project.add_span(1, 2)
        middle = project.state
        with pytest.raises(SpanError), project.group("inner"):
            project.add_span(3, 4)
            project.add_span(5, 4)
        assert project.state == middle
    assert len(project.history) == 1 and len(project.state.spans) == 1


def test_effective_spans_follow_the_later_wins_rule() -> None:
    project = Project()
    project.add_span(0, 4)
    project.add_span(1, 2, include=False)
    pieces = [(s.start, s.end, s.include) for s in project.effective_spans()]
    assert pieces == [(0, 1, True), (1, 2, False), (2, 4, True)]


def test_set_media_relinks_and_is_undoable() -> None:
    project = Project()
    project.add_span(1, 2)
    project.set_media(make_media("/elsewhere/voice.wav"))
    assert project.history.undo_label == "Open media"
    project.set_media(make_media("/moved/voice.wav"))
    assert project.history.undo_label == "Relink media"
    project.undo()
    assert project.state.media is not None
    assert Path(project.state.media.path).parent.name == "elsewhere"


def test_constructor_checks_the_state() -> None:
    with pytest.raises(SpanError):
        Project(ProjectState(media=make_media(seconds=1), spans=(Span(0, 2, id="a"),)))


def test_a_group_closed_across_events_notifies_once_it_is_a_step() -> None:
    from isolde.core.project import Project

    project = Project()
    heard: list[tuple[str, bool]] = []
    project.subscribe(lambda state, reason: heard.append((reason, project.history.can_undo)))
    project.begin_group("Add include")
    span_id = project.add_span(1.0, 2.0)
    project.update_span(span_id, end=3.0)
    assert not project.history.can_undo  # not a step until the group closes
    project.end_group()
    assert heard[-1] == ("group", True)
    assert len(project.history) == 1
