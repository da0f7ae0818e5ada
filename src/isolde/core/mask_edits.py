"""Edits of the video masks: pure functions on `ProjectState`, and the Project's undoable commands.

The pure edits check their input and return a new state (like those in `state.py`); every
problem is an InputError naming the mask. `MaskCommands` is mixed into `Project`: each command
is one undo step. A whole paint stroke reaches the project as one `put_keyframe` call, so it is
one step too. Tracked boxes stay when keyframes change: clearing a track is the user's choice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from isolde.core.errors import InputError
from isolde.core.masks import MASK_COLORS, MaskKeyframe, MaskObject, TrackBox
from isolde.core.spans import new_id
from isolde.core.state import ProjectState, _check_fields, _check_new_id, _index, _put

MASK_FIELDS = ("name", "color", "refine", "send", "track")


# -- pure edits ---------------------------------------------------------------------------------


def add_mask(state: ProjectState, obj: MaskObject) -> ProjectState:
    if not isinstance(obj, MaskObject):
        raise InputError(f"not a masked object: {obj!r}")
    _check_new_id(state.masks, obj.id, "mask")
    return replace(state, masks=(*state.masks, obj))


def update_mask(state: ProjectState, mask_id: str, **changes: Any) -> ProjectState:
    """Change name, color, refine, send or track (MaskObject checks the new values)."""
    _check_fields(changes, MASK_FIELDS, "mask")
    if "track" in changes:
        changes["track"] = _boxes(state, mask_id, changes["track"])
    return _change(state, mask_id, lambda obj: replace(obj, **changes))


def remove_mask(state: ProjectState, mask_id: str) -> ProjectState:
    index = _index(state.masks, mask_id, "mask")
    return replace(state, masks=state.masks[:index] + state.masks[index + 1 :])


def put_keyframe(state: ProjectState, mask_id: str, keyframe: MaskKeyframe) -> ProjectState:
    """Insert the keyframe, or replace the one already on its frame."""

    def put(obj: MaskObject) -> MaskObject:
        if not isinstance(keyframe, MaskKeyframe):
            raise InputError(f"mask {obj.name!r}: not a keyframe: {keyframe!r}")
        others = tuple(kf for kf in obj.keyframes if kf.frame != keyframe.frame)
        return replace(obj, keyframes=(*others, keyframe))

    return _change(state, mask_id, put)


def remove_keyframe(state: ProjectState, mask_id: str, frame: int) -> ProjectState:
    def remove(obj: MaskObject) -> MaskObject:
        if obj.keyframe(frame) is None:
            raise InputError(f"mask {obj.name!r} has no keyframe on frame {frame!r}")
        return replace(obj, keyframes=tuple(kf for kf in obj.keyframes if kf.frame != frame))

    return _change(state, mask_id, remove)


def set_track(state: ProjectState, mask_id: str, boxes: Iterable[TrackBox]) -> ProjectState:
    """Put tracked boxes in: they replace the boxes on their frames and keep the others."""
    new = _boxes(state, mask_id, boxes)
    frames = {box.frame for box in new}
    if len(frames) != len(new):
        raise InputError(f"mask {state.mask(mask_id).name!r}: two tracked boxes on one frame")

    def put(obj: MaskObject) -> MaskObject:
        kept = tuple(box for box in obj.track if box.frame not in frames)
        return replace(obj, track=(*kept, *new))

    return _change(state, mask_id, put)


def clear_track(state: ProjectState, mask_id: str) -> ProjectState:
    return _change(state, mask_id, lambda obj: replace(obj, track=()))


def set_mask_invert(state: ProjectState, invert: bool) -> ProjectState:
    if not isinstance(invert, bool):
        raise InputError(f"mask_invert must be true or false, got {invert!r}")
    return replace(state, mask_invert=invert)


def next_color(state: ProjectState) -> str:
    """The first colour no mask uses yet; when all are taken, round the palette again."""
    used = {obj.color.lower() for obj in state.masks}
    free = [c for c in MASK_COLORS if c not in used]
    return free[0] if free else MASK_COLORS[len(state.masks) % len(MASK_COLORS)]


def _change(
    state: ProjectState, mask_id: str, fn: Callable[[MaskObject], MaskObject]
) -> ProjectState:
    index = _index(state.masks, mask_id, "mask")
    return replace(state, masks=_put(state.masks, index, fn(state.masks[index])))


def _boxes(state: ProjectState, mask_id: str, boxes: Any) -> tuple[TrackBox, ...]:
    name = state.mask(mask_id).name
    if isinstance(boxes, str | bytes | Mapping) or not isinstance(boxes, Iterable):
        raise InputError(f"mask {name!r}: track must be a sequence of tracked boxes")
    found = tuple(boxes)
    for box in found:
        if not isinstance(box, TrackBox):
            raise InputError(f"mask {name!r}: not a tracked box: {box!r}")
    return found


# -- undoable commands --------------------------------------------------------------------------


class MaskCommands:
    """The mask commands of `Project` (mixed in); each one is one undo step."""

    state: ProjectState
    apply: Callable[..., ProjectState]

    def add_mask(self, name: str, color: str | None = None) -> str:
        obj = MaskObject(name, id=new_id(), color=color or next_color(self.state))
        self.apply(f"Add mask '{obj.name}'", lambda s: add_mask(s, obj))
        return obj.id

    def rename_mask(self, mask_id: str, name: str, *, merge_key: str | None = None) -> None:
        self.apply("Rename mask", lambda s: update_mask(s, mask_id, name=name), merge_key=merge_key)

    def update_mask(self, mask_id: str, *, merge_key: str | None = None, **changes: Any) -> None:
        label = _update_label(self.state.mask(mask_id), changes)
        self.apply(label, lambda s: update_mask(s, mask_id, **changes), merge_key=merge_key)

    def remove_mask(self, mask_id: str) -> None:
        name = self.state.mask(mask_id).name
        self.apply(f"Delete mask '{name}'", lambda s: remove_mask(s, mask_id))

    def put_keyframe(self, mask_id: str, keyframe: MaskKeyframe, label: str = "Paint mask") -> None:
        self.apply(label, lambda s: put_keyframe(s, mask_id, keyframe))

    def remove_keyframe(self, mask_id: str, frame: int) -> None:
        self.apply("Delete keyframe", lambda s: remove_keyframe(s, mask_id, frame))

    def set_track(self, mask_id: str, boxes: Iterable[TrackBox]) -> None:
        name = self.state.mask(mask_id).name
        boxes = tuple(boxes) if isinstance(boxes, Iterable) else boxes
        self.apply(f"Track '{name}'", lambda s: set_track(s, mask_id, boxes))

    def clear_track(self, mask_id: str) -> None:
        name = self.state.mask(mask_id).name
        self.apply(f"Clear track of '{name}'", lambda s: clear_track(s, mask_id))

    def set_mask_invert(self, invert: bool) -> None:
        self.apply(
            "Invert mask" if invert else "Stop inverting mask", lambda s: set_mask_invert(s, invert)
        )


def _update_label(obj: MaskObject, changes: Mapping[str, Any]) -> str:
    keys = set(changes)
    if keys == {"name"}:
        return "Rename mask"
    if keys == {"color"}:
        return f"Change colour of '{obj.name}'"
    if keys == {"send"}:
        return f"Send '{obj.name}'" if changes["send"] else f"Don't send '{obj.name}'"
    if keys == {"refine"}:
        return f"Refine '{obj.name}'" if changes["refine"] else f"Don't refine '{obj.name}'"
    if keys == {"track"}:
        return f"Edit track of '{obj.name}'"
    return f"Edit mask '{obj.name}'"
