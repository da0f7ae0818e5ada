"""Layers: the source peeled into named parts that still add up to it.

A project starts unsplit: one virtual root layer, the source. Splitting a layer by a separation
take (run on that layer's audio) gives it two children, the take's target and residual. Only the
leaves (layers that were not split) are heard, mixed and exported; because each take's
target + residual equals its input, the leaves always sum to the source.

A layer's audio is the sum of its `parts` (take files); the root's `()` means the source itself.
Invariants kept by every edit here: each (take, role) part belongs to exactly one leaf, and a
take splits at most one layer — so merging and unsplitting can move parts without losing or
counting any twice. Pure functions on `ProjectState`, no Qt: every edit is one undo step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from isolde.core.errors import InputError
from isolde.core.takes import Take

if TYPE_CHECKING:
    from isolde.core.state import ProjectState

ROOT_ID = "source"
ROOT_NAME = "Source"
ROLES = ("target", "residual")
# Distinct on dark and light backgrounds; a layer without its own colour takes one by position.
PALETTE = (
    "#4e9af1",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#b07aa1",
    "#edc948",
    "#76b7b2",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
LAYER_MIX_FIELDS = ("gain_db", "mute", "solo", "colour")


@dataclass(frozen=True)
class LayerPart:
    """One file whose audio is part of a layer."""

    take: str  # take id
    role: str  # "target" | "residual"

    def to_json(self) -> dict[str, str]:
        return {"take": self.take, "role": self.role}


@dataclass(frozen=True)
class Layer:
    id: str
    name: str
    colour: str = ""  # "#rrggbb"; "" = pick from PALETTE by position (`layer_colour`)
    gain_db: float = 0.0
    mute: bool = False
    solo: bool = False
    parent: str | None = None  # the layer it was split from; None = the source (root)
    parts: tuple[LayerPart, ...] = ()  # its audio = the sum of these; () on the root = the source
    split_by: str | None = None  # take id that split this layer; its children have parent == id

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.parts))

    @property
    def is_root(self) -> bool:
        return self.parent is None

    @property
    def is_leaf(self) -> bool:
        return self.split_by is None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "colour": self.colour,
            "gain_db": self.gain_db,
            "mute": self.mute,
            "solo": self.solo,
            "parent": self.parent,
            "parts": [p.to_json() for p in self.parts],
            "split_by": self.split_by,
        }


def root_layer() -> Layer:
    """The source as a layer: what `leaves` gives for a project never split."""
    return Layer(ROOT_ID, ROOT_NAME)


# -- queries ------------------------------------------------------------------------------------


def layer_tree(state: ProjectState) -> tuple[Layer, ...]:
    """The root first, then depth-first (children in the order they were made); () while the
    project has no layers (never split)."""
    layers = state.layers
    if not layers:
        return ()
    children = _children_map(layers)
    out: list[Layer] = []
    stack = [lay for lay in layers if lay.parent is None]
    while stack:
        layer = stack.pop()
        out.append(layer)
        stack.extend(reversed(children.get(layer.id, [])))
    return tuple(out)


def leaves(state: ProjectState) -> tuple[Layer, ...]:
    """The layers that are heard, in tree order; the root alone while nothing is split."""
    if not state.layers:
        return (root_layer(),)
    return tuple(lay for lay in layer_tree(state) if lay.is_leaf)


def get_layer(state: ProjectState, layer_id: str) -> Layer:
    if not state.layers and layer_id == ROOT_ID:
        return root_layer()
    for layer in state.layers:
        if layer.id == layer_id:
            return layer
    raise InputError(f"no layer with id {layer_id!r} in this project")


def children(state: ProjectState, layer_id: str) -> tuple[Layer, ...]:
    return tuple(_children_map(state.layers).get(layer_id, []))


def depth(state: ProjectState, layer_id: str) -> int:
    n, layer = 0, get_layer(state, layer_id)
    while layer.parent is not None:
        n, layer = n + 1, get_layer(state, layer.parent)
    return n


def layer_colour(state: ProjectState, layer: Layer) -> str:
    """Its own colour, else the palette's by the layer's place in the tree."""
    if layer.colour:
        return layer.colour
    tree = layer_tree(state) or (root_layer(),)
    index = next((i for i, lay in enumerate(tree) if lay.id == layer.id), 0)
    return PALETTE[index % len(PALETTE)]


def leaf_gains(state: ProjectState) -> tuple[tuple[Layer, float], ...]:
    """Each leaf with its linear gain as heard: 0 when muted, or when others are soloed and it
    is not (solo wins over nothing but mute: a soloed, muted layer stays silent)."""
    heard = leaves(state)
    soloing = any(lay.solo for lay in heard)
    out = []
    for lay in heard:
        silent = lay.mute or (soloing and not lay.solo)
        out.append((lay, 0.0 if silent else 10 ** (lay.gain_db / 20)))
    return tuple(out)


def takes_used(state: ProjectState) -> frozenset[str]:
    """Take ids the layers depend on (a split or a part): such a take cannot be removed."""
    used = {lay.split_by for lay in state.layers if lay.split_by}
    used.update(p.take for lay in state.layers for p in lay.parts)
    return frozenset(used)


# -- edits --------------------------------------------------------------------------------------


def split_layer(
    state: ProjectState,
    layer_id: str,
    take: Take,
    names: tuple[str, str] | None = None,
) -> ProjectState:
    """Split a leaf by `take` (a separation run on that leaf's audio): two children, the take's
    target and residual. Adds the take (without making it active) if the project lacks it."""
    from isolde.core.state import add_take

    missing = [r for r in ROLES if r not in take.files]
    if missing:
        raise InputError(f"take {take.id} has no {' or '.join(missing)} file, so it cannot split")
    if take.id in takes_used(state):
        raise InputError(f"take {take.id} already splits a layer; run the separation again")
    layer = get_layer(state, layer_id)
    if not layer.is_leaf:
        raise InputError(f"layer {layer.name!r} is already split; delete that split first")
    if not any(t.id == take.id for t in state.takes):
        state = add_take(state, take, make_active=False)
    tname, rname = names or _default_names(take)
    check_name(tname)
    check_name(rname)
    layers = list(state.layers) or [root_layer()]
    index = next(i for i, lay in enumerate(layers) if lay.id == layer_id)
    layers[index] = replace(layer, split_by=take.id)
    ids = {lay.id for lay in layers}
    for role, name in zip(ROLES, (tname, rname), strict=True):
        child_id = _fresh_id(f"{take.id}.{role}", ids)
        ids.add(child_id)
        layers.append(Layer(child_id, name, parent=layer_id, parts=(LayerPart(take.id, role),)))
    return _checked(state, layers)


def rename_layer(state: ProjectState, layer_id: str, name: str) -> ProjectState:
    check_name(name)
    return _update(state, layer_id, name=name)


def set_layer_mix(
    state: ProjectState,
    layer_id: str,
    *,
    gain_db: float | None = None,
    mute: bool | None = None,
    solo: bool | None = None,
    colour: str | None = None,
) -> ProjectState:
    """Change how a layer is heard; None leaves a setting as it is."""
    values = {"gain_db": gain_db, "mute": mute, "solo": solo, "colour": colour}
    changes = {k: v for k, v in values.items() if v is not None}
    if "gain_db" in changes:
        changes["gain_db"] = float(changes["gain_db"])
    return _update(state, layer_id, **changes)


def merge_layers(state: ProjectState, a_id: str, b_id: str) -> ProjectState:
    """Two leaves become one leaf (in `a`'s place, with `a`'s name and mix) summing both.
    A split layer left with no children stays in the tree: it records where its take's audio
    came from, so deleting that split later can give the audio back (see `unsplit_layer`)."""
    if a_id == b_id:
        raise InputError("pick two different layers to merge")
    a, b = get_layer(state, a_id), get_layer(state, b_id)
    for lay in (a, b):
        if not lay.is_leaf or lay.is_root:
            raise InputError(f"layer {lay.name!r} is not a split-off leaf; only leaves merge")
    merged = replace(a, parts=a.parts + b.parts)
    layers = [merged if lay.id == a_id else lay for lay in state.layers if lay.id != b_id]
    return _checked(state, layers)


def unsplit_layer(state: ProjectState, layer_id: str) -> ProjectState:
    """Delete a split: the layer's subtree goes and it is a leaf again. Audio merged in from
    elsewhere stays with it; audio merged out of the subtree returns from those leaves."""
    layer = get_layer(state, layer_id)
    if layer.is_leaf:
        raise InputError(f"layer {layer.name!r} is not split")
    subtree = _subtree_ids(state.layers, layer_id)
    inside = [lay for lay in state.layers if lay.id in subtree]
    born = {lay.split_by for lay in inside if lay.split_by}  # takes whose parts came from here
    # Parts merged in from outside, on leaves or on layers split again, come back to `layer`.
    foreign = tuple(
        p for lay in inside if lay.id != layer_id for p in lay.parts if p.take not in born
    )
    for lay in state.layers:
        if lay.id not in subtree and not lay.is_leaf and any(p.take in born for p in lay.parts):
            raise InputError(
                f"audio from this split was merged into {lay.name!r} and split again; "
                f"delete the split of {lay.name!r} first"
            )
    if layer.is_root and not foreign:
        return replace(state, layers=())
    back = replace(layer, split_by=None, parts=layer.parts + foreign)
    layers: list[Layer] = []
    for lay in state.layers:
        if lay.id == layer_id:
            layers.append(back)
        elif lay.id not in subtree:
            kept = tuple(p for p in lay.parts if p.take not in born)
            if lay.is_leaf and lay.parts and not kept:
                continue  # all of it is back in `layer`
            layers.append(replace(lay, parts=kept))
    return _checked(state, layers)


# -- checks -------------------------------------------------------------------------------------


def check_layers(state: ProjectState) -> None:
    """The tree's rules (see core/layer_checks.py); raises InputError."""
    from isolde.core.layer_checks import check_tree

    check_tree(state)


def check_name(name: Any) -> None:
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"a layer needs a name, got {name!r}")


# -- helpers ------------------------------------------------------------------------------------


def _default_names(take: Take) -> tuple[str, str]:
    prompt = str(take.request.get("prompt") or "").strip()
    return (prompt or "Target", f"Without {prompt}" if prompt else "Rest")


def _update(state: ProjectState, layer_id: str, **changes: Any) -> ProjectState:
    layer = get_layer(state, layer_id)
    layers = list(state.layers) or [root_layer()]
    layers = [replace(layer, **changes) if lay.id == layer_id else lay for lay in layers]
    return _checked(state, layers)


def _checked(state: ProjectState, layers: Iterable[Layer]) -> ProjectState:
    new = replace(state, layers=tuple(layers))
    check_layers(new)
    return new


def _children_map(layers: Iterable[Layer]) -> dict[str, list[Layer]]:
    out: dict[str, list[Layer]] = {}
    for lay in layers:
        if lay.parent is not None:
            out.setdefault(lay.parent, []).append(lay)
    return out


def _subtree_ids(layers: tuple[Layer, ...], layer_id: str) -> set[str]:
    kids = _children_map(layers)
    out, stack = set(), [layer_id]
    while stack:
        current = stack.pop()
        out.add(current)
        stack.extend(k.id for k in kids.get(current, []))
    return out


def _fresh_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
