"""The rules a project's layers keep (core/layers.py), checked after every edit and on load."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from isolde.core.errors import InputError
from isolde.core.layers import ROLES, Layer, LayerPart, check_name, layer_tree
from isolde.core.takes import Take

if TYPE_CHECKING:
    from isolde.core.state import ProjectState


def check_tree(state: ProjectState) -> None:
    """The tree's rules: one root, parents exist and are split, each leaf part names a take's
    target or residual, and each part is in exactly one leaf. Raises InputError."""
    layers = state.layers
    if not layers:
        return
    ids: set[str] = set()
    for lay in layers:
        if not isinstance(lay, Layer):
            raise InputError(f"not a layer: {lay!r}")
        if not isinstance(lay.id, str) or not lay.id or lay.id in ids:
            raise InputError(f"layer ids must be unique non-empty text, got {lay.id!r}")
        ids.add(lay.id)
        check_name(lay.name)
        _check_mix(lay)
    roots = [lay for lay in layers if lay.parent is None]
    if len(roots) != 1 or roots[0].parts:
        raise InputError("layers need exactly one root (the source, with no parts)")
    takes = {t.id: t for t in state.takes}
    by_id = {lay.id: lay for lay in layers}
    seen: set[tuple[str, str]] = set()
    for lay in layers:
        if lay.parent is not None and (lay.parent not in by_id or by_id[lay.parent].is_leaf):
            raise InputError(f"layer {lay.name!r}: its parent {lay.parent!r} is not a split layer")
        if lay.split_by is not None and lay.split_by not in takes:
            raise InputError(f"layer {lay.name!r}: split by {lay.split_by!r}, not in the takes")
        if lay.is_leaf and not lay.is_root and not lay.parts:
            raise InputError(f"layer {lay.name!r} has no audio")
        for part in lay.parts:
            _check_part(lay, part, takes, seen)
    if len(layer_tree(state)) != len(layers):
        raise InputError("layers form a loop or are cut off from the source")
    splitters = [lay.split_by for lay in layers if lay.split_by]
    if len(splitters) != len(set(splitters)):
        raise InputError("one take splits two layers")


def _check_part(lay: Layer, part: Any, takes: dict[str, Take], seen: set) -> None:
    if not isinstance(part, LayerPart):
        raise InputError(f"layer {lay.name!r}: not a layer part: {part!r}")
    if part.role not in ROLES:
        raise InputError(f"layer {lay.name!r}: part role must be target or residual")
    take = takes.get(part.take)
    if take is None or part.role not in take.files:
        raise InputError(f"layer {lay.name!r}: no {part.role} file of take {part.take!r}")
    if lay.is_leaf:
        key = (part.take, part.role)
        if key in seen:
            raise InputError(f"the {part.role} of take {part.take} is in two layers")
        seen.add(key)


def _check_mix(lay: Layer) -> None:
    gain = lay.gain_db
    if isinstance(gain, bool) or not isinstance(gain, int | float) or not math.isfinite(gain):
        raise InputError(f"layer {lay.name!r}: gain must be a number of dB, got {gain!r}")
    for name in ("mute", "solo"):
        if not isinstance(getattr(lay, name), bool):
            raise InputError(f"layer {lay.name!r}: {name} must be true or false")
    colour = lay.colour
    if not isinstance(colour, str) or (colour and not _is_hex_colour(colour)):
        raise InputError(f"layer {lay.name!r}: colour must be '#rrggbb' or empty, got {colour!r}")


def _is_hex_colour(text: str) -> bool:
    return (
        len(text) == 7 and text[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in text[1:])
    )
