"""Video masks as values: which pixels show the sound's source, per object, on keyframes.

Pure Python (no numpy, no Qt) so masks live in `ProjectState` and its undo history like spans.
Turning them into pixels, interpolating between keyframes and tracking live in `isolde.video`.

Coordinates are pixels of the picture *as displayed* (after the container's rotation), x to the
right and y down, as floats. Frames are indices into the video's frames in display order.

- `MaskShape`: one drawn piece. rect/ellipse: `points` = two opposite corners; polygon: ≥ 3
  vertices; stroke: a brush path (≥ 1 point) of diameter `size`; bitmap: `box` (x, y, w, h
  in whole pixels) and `rle`, the row-major run lengths inside the box, alternating off/on and
  starting with off, as space-separated whole numbers. `erase=True` removes instead of adds.
  Shapes of a keyframe apply in order, so an eraser stroke only removes what came before it.
- `MaskKeyframe`: the shapes on one frame; `origin` says who made it (drawn by the user, or an
  "assist" mask from the cloud). A keyframe with no shapes means "nothing here".
- `TrackBox`: where a tracker found the object on one frame; `anchor` is the keyframe whose shape
  the box carries.
- `MaskObject`: one named thing that makes a sound; `send` chooses it for a visual request.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from isolde.core.errors import InputError
from isolde.core.spans import new_id

SHAPE_KINDS = ("rect", "ellipse", "polygon", "stroke", "bitmap")
KEYFRAME_ORIGINS = ("drawn", "assist")
MASK_COLORS = ("#ff8c00", "#00b4ff", "#ff3ca0", "#9be15d", "#ffd400", "#b47cff")
Point = tuple[float, float]
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class MaskShape:
    kind: str
    points: tuple[Point, ...] = ()
    size: float = 0.0
    erase: bool = False
    box: tuple[int, int, int, int] | None = None
    rle: str = ""

    def __post_init__(self) -> None:
        try:
            points = tuple((float(x), float(y)) for x, y in self.points)
        except (TypeError, ValueError):
            raise InputError(
                f"{self.kind} mask shape: points must be (x, y) pairs of numbers, "
                f"got {self.points!r}"
            ) from None
        object.__setattr__(self, "points", points)
        if self.box is not None:
            object.__setattr__(self, "box", tuple(self.box))
        self.validate()

    def validate(self) -> MaskShape:
        where = f"{self.kind} mask shape"
        if self.kind not in SHAPE_KINDS:
            raise InputError(
                f"mask shape kind must be one of {', '.join(SHAPE_KINDS)}, got {self.kind!r}"
            )
        if not all(math.isfinite(c) for p in self.points for c in p):
            raise InputError(f"{where}: every point must be a finite pixel position")
        if not isinstance(self.erase, bool):
            raise InputError(f"{where}: erase must be true or false, got {self.erase!r}")
        needed = {"rect": 2, "ellipse": 2, "polygon": 3, "stroke": 1, "bitmap": 0}[self.kind]
        if self.kind in ("rect", "ellipse") and len(self.points) != 2:
            raise InputError(f"{where}: needs exactly two corner points, got {len(self.points)}")
        if len(self.points) < needed:
            raise InputError(f"{where}: needs at least {needed} points, got {len(self.points)}")
        if self.kind == "stroke" and not (_finite(self.size) and self.size > 0):
            raise InputError(
                f"{where}: brush size must be a number of pixels > 0, got {self.size!r}"
            )
        if self.kind == "bitmap":
            box = self.box
            if (
                box is None
                or len(box) != 4
                or not all(_whole(v) for v in box)
                or box[2] < 0
                or box[3] < 0
            ):
                raise InputError(
                    f"{where}: box must be four whole numbers x, y, w, h (w, h ≥ 0), got {box!r}"
                )
            _check_rle(self.rle, box[2] * box[3], where)
        return self

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.points:
            data["points"] = [[x, y] for x, y in self.points]
        if self.kind == "stroke":
            data["size"] = self.size
        if self.erase:
            data["erase"] = True
        if self.kind == "bitmap":
            data["box"] = list(self.box or (0, 0, 0, 0))
            data["rle"] = self.rle
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MaskShape:
        box = data.get("box")
        return cls(
            kind=data["kind"],
            points=tuple((p[0], p[1]) for p in data.get("points", ())),
            size=data.get("size", 0.0),
            erase=data.get("erase", False),
            box=tuple(box) if box is not None else None,  # type: ignore[arg-type]
            rle=data.get("rle", ""),
        )


@dataclass(frozen=True)
class MaskKeyframe:
    frame: int
    shapes: tuple[MaskShape, ...] = ()
    origin: str = "drawn"

    def __post_init__(self) -> None:
        object.__setattr__(self, "shapes", tuple(self.shapes))
        if not _whole(self.frame) or self.frame < 0:
            raise InputError(f"a mask keyframe needs a frame number ≥ 0, got {self.frame!r}")
        if self.origin not in KEYFRAME_ORIGINS:
            raise InputError(
                f"mask keyframe origin must be one of {', '.join(KEYFRAME_ORIGINS)}"
                f", got {self.origin!r}"
            )
        for shape in self.shapes:
            if not isinstance(shape, MaskShape):
                raise InputError(f"not a mask shape: {shape!r}")

    @property
    def empty(self) -> bool:
        return not any(not s.erase for s in self.shapes)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"frame": self.frame, "shapes": [s.to_json() for s in self.shapes]}
        if self.origin != "drawn":
            data["origin"] = self.origin
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MaskKeyframe:
        return cls(
            frame=data["frame"],
            shapes=tuple(MaskShape.from_json(s) for s in data.get("shapes", ())),
            origin=data.get("origin", "drawn"),
        )


@dataclass(frozen=True)
class TrackBox:
    frame: int
    x: float
    y: float
    w: float
    h: float
    anchor: int  # the keyframe whose shape this box carries

    def __post_init__(self) -> None:
        if not (
            _whole(self.frame) and self.frame >= 0 and _whole(self.anchor) and self.anchor >= 0
        ):
            raise InputError(
                f"a tracked box needs whole frame numbers ≥ 0, got "
                f"{self.frame!r} (anchor {self.anchor!r})"
            )
        if (
            not all(_finite(v) for v in (self.x, self.y, self.w, self.h))
            or self.w <= 0
            or self.h <= 0
        ):
            raise InputError(
                f"tracked box on frame {self.frame}: x, y, w, h must be finite with w, h > 0"
            )

    def to_json(self) -> list[float]:
        return [self.frame, self.x, self.y, self.w, self.h, self.anchor]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> TrackBox:
        frame, x, y, w, h, anchor = data
        return cls(frame, float(x), float(y), float(w), float(h), anchor)


@dataclass(frozen=True)
class MaskObject:
    name: str
    id: str = field(default_factory=new_id)
    color: str = MASK_COLORS[0]
    keyframes: tuple[MaskKeyframe, ...] = ()  # sorted by frame, one per frame
    track: tuple[TrackBox, ...] = ()  # sorted by frame, one per frame
    refine: bool = False  # GrabCut the shape inside each tracked box
    send: bool = True  # part of the mask a visual request sends

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"a masked object needs a name, got {self.name!r}")
        for what, items, kind in (
            ("keyframe", self.keyframes, MaskKeyframe),
            ("tracked box", self.track, TrackBox),
        ):
            for item in items:
                if not isinstance(item, kind):
                    raise InputError(f"mask {self.name!r}: not a {what}: {item!r}")
        object.__setattr__(self, "keyframes", tuple(sorted(self.keyframes, key=_frame)))
        object.__setattr__(self, "track", tuple(sorted(self.track, key=_frame)))
        if not isinstance(self.color, str) or not _COLOR.fullmatch(self.color):
            raise InputError(f"mask {self.name!r}: colour must be '#rrggbb', got {self.color!r}")
        for flag in ("refine", "send"):
            if not isinstance(getattr(self, flag), bool):
                raise InputError(f"mask {self.name!r}: {flag} must be true or false")
        for what, items in (("keyframes", self.keyframes), ("tracked boxes", self.track)):
            frames = [item.frame for item in items]
            if len(frames) != len(set(frames)):
                raise InputError(f"mask {self.name!r}: two {what} on the same frame")

    def keyframe(self, frame: int) -> MaskKeyframe | None:
        for kf in self.keyframes:
            if kf.frame == frame:
                return kf
        return None

    @property
    def keyframe_frames(self) -> tuple[int, ...]:
        return tuple(kf.frame for kf in self.keyframes)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "color": self.color,
            "keyframes": [kf.to_json() for kf in self.keyframes],
            "track": [b.to_json() for b in self.track],
            "refine": self.refine,
            "send": self.send,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MaskObject:
        return cls(
            name=data["name"],
            id=str(data.get("id") or new_id()),
            color=data.get("color", MASK_COLORS[0]),
            keyframes=tuple(MaskKeyframe.from_json(k) for k in data.get("keyframes", ())),
            track=tuple(TrackBox.from_json(b) for b in data.get("track", ())),
            refine=data.get("refine", False),
            send=data.get("send", True),
        )


def _frame(item: MaskKeyframe | TrackBox) -> int:
    return item.frame


def _check_rle(rle: Any, pixels: int, where: str) -> None:
    if not isinstance(rle, str):
        raise InputError(f"{where}: rle must be text, got {rle!r}")
    runs = rle.split()
    if not all(run.isascii() and run.isdigit() for run in runs) or sum(map(int, runs)) != pixels:
        raise InputError(
            f"{where}: rle must be whole numbers ≥ 0 adding up to the box's {pixels} pixels"
        )
