"""Video masks in the project: the pure edits, their checks, and the undo history."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_

from isolde.core import mask_edits as me
from isolde.core.errors import InputError
from isolde.core.masks import MASK_COLORS, MaskKeyframe, MaskObject, MaskShape, TrackBox
from isolde.core.project import Project
from isolde.core.state import ProjectState, check_state


def rect(x0: float, y0: float, x1: float, y1: float, erase: bool = False) -> MaskShape:
    return MaskShape("rect", ((x0, y0), (x1, y1)), erase=erase)


def keyframe(frame: int, *shapes: MaskShape) -> MaskKeyframe:
    return MaskKeyframe(frame, shapes or (rect(0, 0, 10, 10),))


def with_dog() -> ProjectState:
    return me.add_mask(ProjectState(), MaskObject("dog", id="d"))


# -- pure edits ---------------------------------------------------------------------------------


def test_edits_make_new_states_and_leave_the_old_one_alone() -> None:
    empty = ProjectState()
    one = me.add_mask(empty, MaskObject("dog", id="d"))
    two = me.put_keyframe(one, "d", keyframe(5))
    assert empty.masks == () and one.mask("d").keyframes == ()
    assert two.mask("d").keyframe_frames == (5,)
    renamed = me.update_mask(two, "d", name="puppy", color="#00b4ff", refine=True, send=False)
    obj = renamed.mask("d")
    assert (obj.name, obj.color, obj.refine, obj.send) == ("puppy", "#00b4ff", True, False)
    assert obj.keyframes == two.mask("d").keyframes
    assert me.remove_mask(renamed, "d").masks == ()
    assert me.set_mask_invert(empty, True).mask_invert is True


def test_put_keyframe_inserts_in_frame_order_and_replaces_on_the_same_frame() -> None:
    state = with_dog()
    for frame in (30, 10, 20):
        state = me.put_keyframe(state, "d", keyframe(frame))
    assert state.mask("d").keyframe_frames == (10, 20, 30)
    redrawn = keyframe(20, rect(1, 1, 5, 5), rect(2, 2, 3, 3, erase=True))
    state = me.put_keyframe(state, "d", redrawn)
    assert state.mask("d").keyframe_frames == (10, 20, 30)
    assert state.mask("d").keyframe(20) == redrawn
    state = me.remove_keyframe(state, "d", 10)
    assert state.mask("d").keyframe_frames == (20, 30)


def test_set_track_replaces_boxes_on_their_frames_and_keeps_the_others() -> None:
    state = me.put_keyframe(with_dog(), "d", keyframe(0))
    first = tuple(TrackBox(f, 1.0, 1.0, 10.0, 10.0, anchor=0) for f in range(1, 6))
    state = me.set_track(state, "d", first)
    again = (TrackBox(3, 5.0, 5.0, 8.0, 8.0, anchor=0), TrackBox(9, 2.0, 2.0, 4.0, 4.0, anchor=0))
    state = me.set_track(state, "d", again)
    track = state.mask("d").track
    assert [b.frame for b in track] == [1, 2, 3, 4, 5, 9]
    assert track[2] == again[0] and track[-1] == again[1]
    # Keyframe edits keep the track: clearing it is the user's call.
    state = me.remove_keyframe(state, "d", 0)
    assert len(state.mask("d").track) == 6
    assert me.clear_track(state, "d").mask("d").track == ()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: me.update_mask(s, "nope", name="x"), "no mask with id 'nope'"),
        (lambda s: me.remove_mask(s, "nope"), "no mask with id 'nope'"),
        (lambda s: me.add_mask(s, MaskObject("cat", id="d")), "mask with id 'd' is already"),
        (lambda s: me.add_mask(s, "cat"), "not a masked object"),
        (lambda s: me.update_mask(s, "d", keyframes=()), "cannot change keyframes of masks"),
        (lambda s: me.update_mask(s, "d", name="  "), "needs a name"),
        (lambda s: me.update_mask(s, "d", color="red"), "'dog': colour must be '#rrggbb'"),
        (lambda s: me.update_mask(s, "d", send="yes"), "'dog': send must be true or false"),
        (lambda s: me.update_mask(s, "d", track=[1, 2]), "'dog': not a tracked box"),
        (lambda s: me.put_keyframe(s, "d", rect(0, 0, 1, 1)), "'dog': not a keyframe"),
        (lambda s: me.remove_keyframe(s, "d", 4), "'dog' has no keyframe on frame 4"),
        (lambda s: me.set_track(s, "d", "boxes"), "'dog': track must be a sequence"),
        (
            lambda s: me.set_track(s, "d", [TrackBox(1, 0, 0, 1, 1, 0)] * 2),
            "'dog': two tracked boxes on one frame",
        ),
        (lambda s: me.set_mask_invert(s, 1), "mask_invert must be true or false"),
    ],
)
def test_bad_edits_say_what_is_wrong(edit, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        edit(with_dog())


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: MaskShape("blob"), "kind must be one of"),
        (lambda: MaskShape("rect", ((0, 0),)), "exactly two corner points"),
        (lambda: MaskShape("polygon", ((0, 0), (1, 1))), "at least 3 points"),
        (lambda: MaskShape("stroke", ((0, 0),), size=0), "brush size"),
        (lambda: MaskShape("rect", ((0, 0), (1, float("nan")))), "finite"),
        (lambda: MaskShape("rect", (("a", 0), (1, 1))), "pairs of numbers"),
        (lambda: MaskShape("bitmap", box=(0, 0, 2, 2), rle="1 2"), "adding up to the box's 4"),
        (lambda: MaskShape("bitmap", box=(0, 0, 2, 2), rle="1 -1 4"), "whole numbers ≥ 0"),
        (lambda: MaskShape("bitmap", box=(0, 0, -1, 2)), "box must be four whole numbers"),
        (lambda: MaskKeyframe(-1), "frame number ≥ 0"),
        (lambda: MaskKeyframe(0, origin="magic"), "origin must be one of"),
        (lambda: TrackBox(0, 0, 0, 0, 5, 0), "w, h > 0"),
        (lambda: MaskObject("dog", keyframes=(keyframe(1), keyframe(1))), "same frame"),
        (lambda: MaskObject("dog", keyframes=("kf",)), "'dog': not a keyframe"),
    ],
)
def test_mask_values_refuse_bad_input(make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        make()


def test_check_state_refuses_two_masks_with_one_id() -> None:
    state = ProjectState(masks=(MaskObject("a", id="m"), MaskObject("b", id="m")))
    with pytest.raises(InputError, match="two masks share the id 'm'"):
        check_state(state)
    with pytest.raises(InputError, match="mask_invert must be true or false"):
        check_state(ProjectState(mask_invert="no"))  # type: ignore[arg-type]


# -- the project's commands -----------------------------------------------------------------------


def test_commands_are_one_undo_step_each_with_labels() -> None:
    project = Project()
    dog = project.add_mask("dog")
    cat = project.add_mask("cat", color="#123456")
    project.rename_mask(dog, "puppy")
    project.update_mask(cat, send=False)
    project.update_mask(cat, refine=True)
    project.update_mask(cat, color="#abcdef")
    project.put_keyframe(dog, keyframe(0))
    project.put_keyframe(dog, keyframe(5), label="Correct track")
    project.set_track(dog, [TrackBox(1, 0, 0, 5, 5, anchor=0)])
    project.clear_track(dog)
    project.remove_keyframe(dog, 5)
    project.set_mask_invert(True)
    project.remove_mask(cat)
    done, undone = project.history.labels
    assert done == [
        "Add mask 'dog'",
        "Add mask 'cat'",
        "Rename mask",
        "Don't send 'cat'",
        "Refine 'cat'",
        "Change colour of 'cat'",
        "Paint mask",
        "Correct track",
        "Track 'puppy'",
        "Clear track of 'puppy'",
        "Delete keyframe",
        "Invert mask",
        "Delete mask 'cat'",
    ]
    assert undone == []
    while project.undo():
        pass
    assert project.state == ProjectState()
    while project.redo():
        pass
    assert [m.name for m in project.state.masks] == ["puppy"] and project.state.mask_invert


def test_a_whole_stroke_is_one_undo_step() -> None:
    project = Project()
    dog = project.add_mask("dog")
    project.put_keyframe(dog, keyframe(3, rect(0, 0, 50, 50)))
    before = project.state
    path = tuple((float(x), 20.0 + (x % 7)) for x in range(0, 200, 3))  # many mouse moves
    stroke = MaskShape("stroke", path, size=12.0, erase=True)
    shapes = (*before.mask(dog).keyframe(3).shapes, stroke)  # type: ignore[union-attr]
    project.put_keyframe(dog, MaskKeyframe(3, shapes))
    assert project.history.labels[0][-1] == "Paint mask"
    assert len(project.history.labels[0]) == 3
    assert project.undo() and project.state == before
    assert project.redo() and project.state.mask(dog).keyframe(3).shapes[-1] == stroke  # type: ignore[union-attr]


def test_new_masks_take_the_next_free_colour() -> None:
    project = Project()
    ids = [project.add_mask(f"m{i}") for i in range(len(MASK_COLORS) + 1)]
    colours = [project.state.mask(i).color for i in ids]
    assert colours[: len(MASK_COLORS)] == list(MASK_COLORS)
    assert colours[-1] == MASK_COLORS[0]  # all taken: round again
    project.remove_mask(ids[1])
    again = project.add_mask("again")
    assert project.state.mask(again).color == MASK_COLORS[1]  # the one set free


def test_a_refused_command_changes_nothing() -> None:
    project = Project()
    dog = project.add_mask("dog")
    with pytest.raises(InputError, match="'dog' has no keyframe on frame 9"):
        project.remove_keyframe(dog, 9)
    with pytest.raises(InputError, match="no mask with id 'ghost'"):
        project.set_track("ghost", [])
    assert project.history.labels == (["Add mask 'dog'"], [])


frames = st_.integers(0, 30)


@settings(max_examples=100, deadline=None)
@given(
    st_.lists(
        st_.tuples(st_.sampled_from(["put", "remove", "track", "clear"]), frames), max_size=25
    )
)
def test_any_sequence_of_mask_edits_undoes_back_to_the_start(
    steps: list[tuple[str, int]],
) -> None:
    project = Project()
    dog = project.add_mask("dog")
    start = project.state
    states = [start]
    for op, frame in steps:
        obj = project.state.mask(dog)
        if op == "put":
            project.put_keyframe(dog, keyframe(frame, rect(frame, 0, frame + 5, 5)))
        elif op == "remove" and obj.keyframe(frame) is not None:
            project.remove_keyframe(dog, frame)
        elif op == "track":
            project.set_track(dog, [TrackBox(frame, 0, 0, 4, 4, anchor=0)])
        elif op == "clear":
            project.clear_track(dog)
        if project.state != states[-1]:
            states.append(project.state)
        frames_now = project.state.mask(dog).keyframe_frames
        assert list(frames_now) == sorted(set(frames_now))
    for expected in reversed(states[:-1]):
        assert project.undo()
        assert project.state == expected
    assert project.state == start
