"""The pure edits of state.py: rules, clear errors, order kept, old states untouched."""

from __future__ import annotations

import math

import pytest
from core_helpers import make_media, make_take

from isolde.core import state as st
from isolde.core.errors import InputError, SpanError
from isolde.core.media import MediaRef
from isolde.core.spans import InpaintRegion, Span
from isolde.core.state import ProjectState


def with_spans(media: MediaRef | None, *spans: tuple[float, float, bool]) -> ProjectState:
    state = ProjectState(media=media)
    for i, (a, b, inc) in enumerate(spans):
        state = st.add_span(state, Span(a, b, inc, id=f"s{i}"))
    return state


def test_add_span_keeps_order_and_leaves_old_state(media: MediaRef) -> None:
    empty = ProjectState(media=media)
    one = st.add_span(empty, Span(1, 2, id="a"))
    two = st.add_span(one, Span(0.5, 1.5, False, id="b"))
    assert empty.spans == ()
    assert [s.id for s in two.spans] == ["a", "b"]
    assert isinstance(two.spans[0].start, float)


def test_update_span_keeps_its_place_so_the_overlap_rule_does_not_change(media: MediaRef) -> None:
    state = with_spans(media, (1, 3, True), (2, 4, False), (5, 6, True))
    moved = st.update_span(state, "s0", start=2.5, end=3.5)
    assert [s.id for s in moved.spans] == ["s0", "s1", "s2"]
    assert moved.span("s0") == Span(2.5, 3.5, True, id="s0")
    # s1 was added later, so it still wins over the moved s0
    flipped = st.update_span(moved, "s0", include=False)
    assert flipped.span("s0").include is False


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (3.0, 2.0, "must be before end"),
        (2.0, 2.0, "must be before end"),
        (math.nan, 2.0, "finite"),
        (1.0, math.inf, "finite"),
        (-0.5, 2.0, "before the beginning"),
        (9.0, 10.5, "after the end of the media"),
        ("1", 2.0, "must be a number"),
        (None, 2.0, "must be a number"),
        (True, 2.0, "must be a number"),
    ],
)
def test_span_rules_give_clear_errors(
    media: MediaRef, start: object, end: object, expected: str
) -> None:
    with pytest.raises(SpanError, match=expected):
        st.add_span(ProjectState(media=media), Span(start, end, id="x"))  # type: ignore[arg-type]
    state = with_spans(media, (1, 2, True))
    with pytest.raises(SpanError, match=expected):
        st.update_span(state, "s0", start=start, end=end)


def test_span_may_end_exactly_at_the_media_end(media: MediaRef) -> None:
    state = st.add_span(ProjectState(media=media), Span(9.5, 10.0, id="x"))
    assert state.spans[0].end == 10.0


def test_include_must_be_a_bool(media: MediaRef) -> None:
    with pytest.raises(SpanError, match="include must be true or false"):
        st.add_span(ProjectState(media=media), Span(1, 2, "yes", id="x"))  # type: ignore[arg-type]


def test_without_media_there_is_no_upper_bound() -> None:
    state = st.add_span(ProjectState(), Span(100, 5000, id="x"))
    assert state.duration is None
    with pytest.raises(SpanError):
        st.add_span(state, Span(-1, 5, id="y"))


def test_opening_shorter_media_must_still_fit_the_marks() -> None:
    state = with_spans(None, (1, 8, True))
    with pytest.raises(SpanError, match="after the end of the media"):
        st.set_media(state, make_media(seconds=5))
    assert st.set_media(state, make_media(seconds=9)).media is not None


def test_unknown_ids_are_named() -> None:
    state = with_spans(None, (1, 2, True))
    for call in (
        lambda: st.update_span(state, "nope", start=0),
        lambda: st.remove_span(state, "nope"),
        lambda: st.update_region(state, "nope", start=0),
        lambda: st.remove_region(state, "nope"),
        lambda: st.remove_take(state, "nope"),
        lambda: st.set_active_take(state, "nope"),
    ):
        with pytest.raises(InputError, match="'nope'"):
            call()


def test_changing_an_unknown_field_or_the_id_is_refused() -> None:
    state = with_spans(None, (1, 2, True))
    with pytest.raises(InputError, match="cannot change id"):
        st.update_span(state, "s0", id="other")
    with pytest.raises(InputError, match="cannot change colour"):
        st.update_span(state, "s0", colour="red")


def test_duplicate_ids_are_refused() -> None:
    state = with_spans(None, (1, 2, True))
    with pytest.raises(InputError, match="already"):
        st.add_span(state, Span(3, 4, id="s0"))


def test_remove_span() -> None:
    state = with_spans(None, (1, 2, True), (3, 4, False))
    assert [s.id for s in st.remove_span(state, "s0").spans] == ["s1"]


def test_regions(media: MediaRef) -> None:
    state = st.add_region(ProjectState(media=media), InpaintRegion(1, 2, "rain", id="r"))
    state = st.update_region(state, "r", prompt="birdsong", seed=7, steps=30)
    assert state.region("r") == InpaintRegion(1.0, 2.0, "birdsong", "", 7, 30, id="r")
    with pytest.raises(SpanError, match="steps"):
        st.update_region(state, "r", steps=0)
    with pytest.raises(SpanError, match="seed"):
        st.update_region(state, "r", seed=True)
    with pytest.raises(SpanError, match="prompt must be text"):
        st.update_region(state, "r", prompt=3)
    with pytest.raises(SpanError, match="after the end"):
        st.update_region(state, "r", end=11)
    assert st.remove_region(state, "r").regions == ()


def test_prompt_and_provider() -> None:
    state = st.set_prompt(ProjectState(), "a dog barking")
    assert state.prompt == "a dog barking"
    with pytest.raises(InputError, match="prompt must be text"):
        st.set_prompt(state, None)  # type: ignore[arg-type]
    state = st.set_provider(state, "fal", {"guidance": 3.5, "nested": {"a": [1, 2]}})
    assert state.provider == "fal"
    assert state.options["guidance"] == 3.5
    assert state.options["nested"]["a"] == (1, 2)
    with pytest.raises(TypeError):
        state.options["guidance"] = 1  # type: ignore[index]
    with pytest.raises(InputError, match="provider"):
        st.set_provider(state, "", {})
    with pytest.raises(InputError, match="finite"):
        st.set_provider(state, "fal", {"x": math.nan})
    with pytest.raises(InputError, match=r"fal option\.x"):
        st.set_provider(state, "fal", {"x": object()})


def test_options_are_a_private_copy() -> None:
    options = {"a": [1]}
    state = st.set_provider(ProjectState(), "local", options)
    options["a"].append(2)
    assert state.options["a"] == (1,)


def test_takes() -> None:
    state = st.add_take(ProjectState(), make_take("t1"))
    assert state.active_take == "t1"
    state = st.add_take(state, make_take("t2"), make_active=False)
    assert state.current_take is not None and state.current_take.id == "t1"
    state = st.set_active_take(state, "t2")
    assert st.remove_take(state, "t2").active_take is None
    assert st.remove_take(state, "t1").active_take == "t2"
    assert st.set_active_take(state, None).current_take is None
    with pytest.raises(InputError, match="already"):
        st.add_take(state, make_take("t1"))


def test_check_state_catches_what_the_constructor_cannot() -> None:
    broken = ProjectState(media=make_media(seconds=2), spans=(Span(1, 3, id="a"),))
    with pytest.raises(SpanError):
        st.check_state(broken)
    with pytest.raises(InputError, match="share the id"):
        st.check_state(ProjectState(spans=(Span(1, 2, id="a"), Span(3, 4, id="a"))))
    with pytest.raises(InputError, match="'gone'"):
        st.check_state(ProjectState(active_take="gone"))
