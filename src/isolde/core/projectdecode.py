"""Turning a current-format project document (parsed JSON) into a checked `ProjectState`.

Every field is checked for its type before use, and each problem is reported with the JSON path
of the field ("spans[2].end must be a number, got text '3s'"). Marks that break the span rules
are reported too, never repaired: a silently moved span would change what an engine is sent.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from isolde.core.edits import DEFAULT_FADE_S, AppliedEdit
from isolde.core.errors import InputError
from isolde.core.layers import Layer, LayerPart
from isolde.core.masks import MaskKeyframe, MaskObject, MaskShape, TrackBox
from isolde.core.media import MediaRef
from isolde.core.spans import InpaintRegion, Span
from isolde.core.state import ProjectState, check_region, check_span, check_state
from isolde.core.takes import Take

Fail = Callable[[str], NoReturn]

_MISSING = object()

# kind -> (test, how the message names it)
_KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "number": (
        lambda v: isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v),
        "a number",
    ),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
    "str": (lambda v: isinstance(v, str), "text"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "object": (lambda v: isinstance(v, dict), "an object"),
    "list": (lambda v: isinstance(v, list), "a list"),
}


def describe(value: Any) -> str:
    """A value as a message shows it: short, and saying what type it is."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text {shown!r}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


class Fields:
    """Typed access to one JSON object; `where` is its JSON path ("" for the top level)."""

    def __init__(self, data: Any, where: str, fail: Fail) -> None:
        if not isinstance(data, dict):
            fail(f"{where or 'the top level'} must be an object, got {describe(data)}")
        self.data: dict[str, Any] = data
        self.where = where
        self.fail = fail

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def get(self, key: str, kind: str, *, nullable: bool = False, default: Any = _MISSING) -> Any:
        if key not in self.data:
            if default is _MISSING:
                self.fail(f"{self.path(key)} is missing")
            return default
        value = self.data[key]
        test, name = _KINDS[kind]
        if value is None and nullable:
            return None
        if not test(value):
            also = " or null" if nullable else ""
            self.fail(f"{self.path(key)} must be {name}{also}, got {describe(value)}")
        return value

    def obj(self, key: str) -> Fields:
        return Fields(self.get(key, "object"), self.path(key), self.fail)

    def items(self, key: str) -> list[Fields]:
        values = self.get(key, "list")
        return [Fields(v, f"{self.path(key)}[{i}]", self.fail) for i, v in enumerate(values)]

    def mapping_of(self, key: str, kind: str, default: Any = _MISSING) -> dict[str, Any]:
        """An object whose values all have one kind (take files, timing)."""
        if key not in self.data and default is not _MISSING:
            return default
        inner = self.obj(key)
        return {k: inner.get(k, kind) for k in inner.data}


def decode_state(doc: dict[str, Any], project_dir: Path, fail: Fail) -> ProjectState:
    top = Fields(doc, "", fail)
    media = None if top.get("media", "object", nullable=True) is None else _media(top, project_dir)
    duration = None if media is None else media.duration
    spans = tuple(_span(f, duration) for f in top.items("spans"))
    regions = tuple(_region(f, duration) for f in top.items("regions"))
    takes = tuple(_take(f, project_dir) for f in top.items("takes"))
    masks = tuple(_mask(f) for f in top.items("masks"))
    for what, items in (("spans", spans), ("regions", regions), ("takes", takes), ("masks", masks)):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                fail(f"{what}[{i}].id {item.id!r} is used by an earlier entry too")
            seen.add(item.id)
    active = top.get("active_take", "str", nullable=True)
    if active is not None and active not in {t.id for t in takes}:
        fail(f"active_take {active!r} names no entry in takes")
    edits = tuple(_edit(f) for f in top.items("edits"))
    layers = tuple(_layer(f) for f in top.items("layers"))
    state = ProjectState(
        media=media,
        edits=edits,
        spans=spans,
        regions=regions,
        prompt=top.get("prompt", "str"),
        provider=top.get("provider", "str"),
        options=top.get("options", "object"),
        takes=takes,
        active_take=active,
        masks=masks,
        mask_invert=top.get("mask_invert", "bool"),
        layers=layers,
    )
    return _guard("the project", fail, lambda: check_state(state))


def _guard(where: str, fail: Fail, make: Callable[[], Any]) -> Any:
    # Values of the right JSON type can still break a rule; say which entry did.
    try:
        return make()
    except InputError as e:
        fail(f"{where}: {e}")


def _media(top: Fields, project_dir: Path) -> MediaRef:
    f = top.obj("media")
    data = {
        "path": f.get("path", "str"),
        "content_hash": f.get("content_hash", "str"),
        "sample_rate": f.get("sample_rate", "int"),
        "channels": f.get("channels", "int"),
        "frames": f.get("frames", "int"),
        "format": f.get("format", "str"),
        "has_video": f.get("has_video", "bool", default=False),
        "abs_path": f.get("abs_path", "str", default=None),
    }
    return _guard("media", f.fail, lambda: MediaRef.from_json(data, project_dir))


def _id(f: Fields) -> str:
    value = f.get("id", "str")
    if not value:
        f.fail(f"{f.path('id')} must not be empty")
    return value


def _span(f: Fields, duration: float | None) -> Span:
    span = Span(
        start=float(f.get("start", "number")),
        end=float(f.get("end", "number")),
        include=f.get("include", "bool"),
        id=_id(f),
    )
    return _guard(f"{f.where} (id {span.id})", f.fail, lambda: check_span(span, duration))


def _region(f: Fields, duration: float | None) -> InpaintRegion:
    region = InpaintRegion(
        start=float(f.get("start", "number")),
        end=float(f.get("end", "number")),
        prompt=f.get("prompt", "str", default=""),
        negative_prompt=f.get("negative_prompt", "str", default=""),
        seed=f.get("seed", "int", nullable=True, default=None),
        steps=f.get("steps", "int", nullable=True, default=None),
        id=_id(f),
    )
    return _guard(f"{f.where} (id {region.id})", f.fail, lambda: check_region(region, duration))


def _edit(f: Fields) -> AppliedEdit:
    return AppliedEdit(
        take_id=f.get("take_id", "str"),
        start=float(f.get("start", "number")),
        end=float(f.get("end", "number")),
        kind=f.get("kind", "str", default="remix"),
        target_gain_db=float(f.get("target_gain_db", "number", default=0.0)),
        residual_gain_db=f.get("residual_gain_db", "number", nullable=True, default=None),
        fade_s=float(f.get("fade_s", "number", default=DEFAULT_FADE_S)),
        id=_id(f),
    )


def _layer(f: Fields) -> Layer:
    parts = tuple(LayerPart(p.get("take", "str"), p.get("role", "str")) for p in f.items("parts"))
    return Layer(
        id=_id(f),
        name=f.get("name", "str"),
        colour=f.get("colour", "str", default=""),
        gain_db=float(f.get("gain_db", "number", default=0.0)),
        mute=f.get("mute", "bool", default=False),
        solo=f.get("solo", "bool", default=False),
        parent=f.get("parent", "str", nullable=True, default=None),
        parts=parts,
        split_by=f.get("split_by", "str", nullable=True, default=None),
    )


def _take(f: Fields, project_dir: Path) -> Take:
    data = {
        "id": _id(f),
        "kind": f.get("kind", "str"),
        "provider": f.get("provider", "str"),
        "endpoint": f.get("endpoint", "str"),
        "created_at": f.get("created_at", "str"),
        "files": f.mapping_of("files", "str"),
        "request": f.get("request", "object", default={}),
        "timing": f.mapping_of("timing", "number", default={}),
        "label": f.get("label", "str", default=""),
        "provider_request_id": f.get("provider_request_id", "str", nullable=True, default=None),
        "cost_usd": f.get("cost_usd", "number", nullable=True, default=None),
        "sample_rate": f.get("sample_rate", "int", default=0),
        "checks": f.get("checks", "object", default={}),  # the result check (issue 14)
    }
    return _guard(f"{f.where} (id {data['id']})", f.fail, lambda: Take.from_json(data, project_dir))


def _mask(f: Fields) -> MaskObject:
    mask_id, name, color = _id(f), f.get("name", "str"), f.get("color", "str")
    keyframes = tuple(_keyframe(k) for k in f.items("keyframes"))
    boxes = f.get("track", "list")
    track = tuple(_track_box(v, f"{f.path('track')}[{i}]", f.fail) for i, v in enumerate(boxes))
    refine, send = f.get("refine", "bool", default=False), f.get("send", "bool", default=True)
    return _guard(
        f.where,
        f.fail,
        lambda: MaskObject(
            name,
            id=mask_id,
            color=color,
            keyframes=keyframes,
            track=track,
            refine=refine,
            send=send,
        ),
    )


def _keyframe(f: Fields) -> MaskKeyframe:
    frame = f.get("frame", "int")
    shapes = tuple(_shape(s) for s in f.items("shapes"))
    origin = f.get("origin", "str", default="drawn")
    return _guard(f.where, f.fail, lambda: MaskKeyframe(frame, shapes, origin))


def _shape(f: Fields) -> MaskShape:
    kind = f.get("kind", "str")
    points = tuple(
        _numbers(p, f"{f.path('points')}[{i}]", f.fail, ("number", "number"), "[x, y]")
        for i, p in enumerate(f.get("points", "list", default=[]))
    )
    box = f.get("box", "list", nullable=True, default=None)
    if box is not None:
        box = _numbers(box, f.path("box"), f.fail, ("int",) * 4, "[x, y, w, h] whole numbers")
    size = f.get("size", "number", default=0.0)
    erase = f.get("erase", "bool", default=False)
    rle = f.get("rle", "str", default="")
    return _guard(f.where, f.fail, lambda: MaskShape(kind, points, size, erase, box, rle))


def _track_box(value: Any, where: str, fail: Fail) -> TrackBox:
    kinds = ("int", "number", "number", "number", "number", "int")
    found = _numbers(value, where, fail, kinds, "[frame, x, y, w, h, anchor frame]")
    return _guard(where, fail, lambda: TrackBox.from_json(found))


def _numbers(value: Any, where: str, fail: Fail, kinds: tuple[str, ...], shape: str) -> tuple:
    """A JSON list of a fixed length whose items have the given kinds ("number" or "int")."""
    if not (
        isinstance(value, list)
        and len(value) == len(kinds)
        and all(_KINDS[k][0](v) for k, v in zip(kinds, value, strict=True))
    ):
        shown = json.dumps(value)[:60] if isinstance(value, list) else describe(value)
        fail(f"{where} must be {shape}, got {shown}")
    return tuple(value)
