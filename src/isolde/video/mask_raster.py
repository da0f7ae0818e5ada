"""Mask shapes to pixels and back: rasterize a keyframe's shapes, pack a mask as a bitmap shape.

Pixel (row i, column j) covers the square [j, j+1) × [i, i+1) of display coordinates, so a rect
from (10, 10) to (50, 40) covers columns 10–49 and rows 10–39, and a bitmap's `box` (x, y, w, h)
is exactly the rect from (x, y) to (x+w, y+h). A pixel belongs to a shape when its centre lies
inside: rect and ellipse inside their corners' box, polygon by the even-odd rule (Qt's default
fill, so the overlay and the mask agree), stroke within size/2 of the brush path (round ends).
These exact tests are plain numpy: OpenCV's fill rounds vertices to whole pixels and includes
the boundary, which makes a 40-pixel rect 41 wide. Everything is clipped to the frame. Shapes
apply in order: an eraser removes only what came before it.

Bitmap run-length code (`MaskShape.rle`): the pixels inside the box, row by row, as run lengths
that alternate off/on and start with off (so a box whose first pixel is on starts with "0").
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from isolde.core.errors import InputError
from isolde.core.masks import MaskShape

_FAR = float(1 << 24)  # clamp coordinates so absurd (but finite) values stay cheap and exact


def rasterize(shapes: Sequence[MaskShape], width: int, height: int) -> np.ndarray:
    """The shapes drawn in order on an empty width×height frame: bool, H×W."""
    _check_size(width, height)
    canvas = np.zeros((height, width), np.uint8)
    for shape in shapes:
        value = 0 if shape.erase else 1
        if shape.kind == "rect":
            _rect(canvas, shape, value)
        elif shape.kind == "ellipse":
            _ellipse(canvas, shape, value)
        elif shape.kind == "polygon":
            _polygon(canvas, shape, value)
        elif shape.kind == "stroke":
            _stroke(canvas, shape, value)
        elif shape.kind == "bitmap":
            _bitmap(canvas, shape, value)
        else:  # MaskShape refuses other kinds; a new kind must be drawn here
            raise InputError(f"cannot draw a {shape.kind!r} mask shape")
    return canvas.astype(bool)


def encode_bitmap(mask: np.ndarray) -> MaskShape:
    """A bitmap shape holding exactly the mask's on pixels, in their tight bounding box."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2:
        raise InputError(f"a mask must be a 2-D array of pixels, got shape {mask.shape}")
    box = bounding_box(mask)
    if box is None:
        return MaskShape("bitmap", box=(0, 0, 0, 0), rle="")
    x, y, w, h = box
    flat = mask[y : y + h, x : x + w].ravel()
    edges = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    runs = np.diff(np.concatenate(([0], edges, [flat.size])))
    if flat[0]:
        runs = np.concatenate(([0], runs))
    return MaskShape("bitmap", box=box, rle=" ".join(map(str, runs.tolist())))


def decode_bitmap(shape: MaskShape, width: int, height: int) -> np.ndarray:
    """A bitmap shape's on pixels on a width×height frame (parts outside it are dropped)."""
    _check_size(width, height)
    canvas = np.zeros((height, width), bool)
    _bitmap(canvas, shape, True)
    return canvas


def bounding_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x, y, w, h) of the mask's on pixels in whole pixels, or None when none is on."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    x, y = int(cols[0]), int(rows[0])
    return x, y, int(cols[-1]) - x + 1, int(rows[-1]) - y + 1


# -- drawing ------------------------------------------------------------------------------------


def _check_size(width: int, height: int) -> None:
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise InputError(f"a mask needs a frame {name} of at least 1 pixel, got {value!r}")


def _rect(canvas: np.ndarray, shape: MaskShape, value: int) -> None:
    (ax, ay), (bx, by) = shape.points
    (c0, c1), (r0, r1) = _span(ax, bx, canvas.shape[1]), _span(ay, by, canvas.shape[0])
    canvas[r0:r1, c0:c1] = value


def _ellipse(canvas: np.ndarray, shape: MaskShape, value: int) -> None:
    (ax, ay), (bx, by) = shape.points
    a, b = abs(bx - ax) / 2, abs(by - ay) / 2
    (c0, c1), (r0, r1) = _span(ax, bx, canvas.shape[1]), _span(ay, by, canvas.shape[0])
    if a == 0 or b == 0 or c0 >= c1 or r0 >= r1:
        return  # no area, or all outside the frame
    xs = (np.arange(c0, c1) + 0.5 - (ax + bx) / 2) / a
    ys = (np.arange(r0, r1) + 0.5 - (ay + by) / 2) / b
    inside = ys[:, None] ** 2 + xs[None, :] ** 2 <= 1.0
    canvas[r0:r1, c0:c1][inside] = value


def _polygon(canvas: np.ndarray, shape: MaskShape, value: int) -> None:
    # Even-odd rule (Qt's default polygon fill), sampled at pixel centres: on each row, a pixel
    # is inside when an odd number of edge crossings lie at or left of its centre.
    height, width = canvas.shape
    pts = np.clip(np.array(shape.points, float), -_FAR, _FAR)
    r0, r1 = _span(pts[:, 1].min(), pts[:, 1].max(), height)
    if r0 >= r1:
        return
    x1, y1 = pts[:, 0], pts[:, 1]
    x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
    # Each edge from its lower end: the crossing is then computed with the same rounding
    # whichever way round, and wherever, the outline was drawn.
    flip = (y1 > y2) | ((y1 == y2) & (x1 > x2))
    x1, x2 = np.where(flip, x2, x1), np.where(flip, x1, x2)
    y1, y2 = np.where(flip, y2, y1), np.where(flip, y1, y2)
    yc = np.arange(r0, r1)[:, None] + 0.5
    crosses = (y1 <= yc) != (y2 <= yc)  # rows × edges; half-open in y, so vertices count once
    rows, edges = np.nonzero(crosses)
    t = (yc[rows, 0] - y1[edges]) / (y2[edges] - y1[edges])
    xs = x1[edges] + t * (x2[edges] - x1[edges])
    cols = np.clip(np.ceil(xs - 0.5), 0, width).astype(np.int64)
    toggles = np.zeros((r1 - r0, width + 1), np.int32)
    np.add.at(toggles, (rows, cols), 1)
    inside = np.cumsum(toggles[:, :width], axis=1) % 2 == 1
    canvas[r0:r1][inside] = value


def _stroke(canvas: np.ndarray, shape: MaskShape, value: int) -> None:
    # A round brush: every pixel whose centre lies within size/2 of the path (round ends and
    # joins). A brush thinner than a pixel still marks the pixels its centre line touches.
    height, width = canvas.shape
    r = max(min(shape.size, _FAR) / 2, 0.5)
    pts = np.clip(np.array(shape.points, float), -_FAR, _FAR)
    ends = itertools.pairwise(pts) if len(pts) > 1 else [(pts[0], pts[0])]
    for (px, py), (qx, qy) in ends:
        # One pixel more each side: a centre exactly size/2 away still counts.
        c0, c1 = _span(min(px, qx) - r - 1, max(px, qx) + r + 1, width)
        r0, r1 = _span(min(py, qy) - r - 1, max(py, qy) + r + 1, height)
        if c0 >= c1 or r0 >= r1:
            continue
        dx, dy = qx - px, qy - py
        xs = np.arange(c0, c1)[None, :] + 0.5 - px
        ys = np.arange(r0, r1)[:, None] + 0.5 - py
        length2 = dx * dx + dy * dy
        t = np.clip((xs * dx + ys * dy) / length2, 0.0, 1.0) if length2 > 0 else 0.0
        inside = (xs - t * dx) ** 2 + (ys - t * dy) ** 2 <= r * r
        canvas[r0:r1, c0:c1][inside] = value


def _bitmap(canvas: np.ndarray, shape: MaskShape, value: int | bool) -> None:
    if shape.kind != "bitmap" or shape.box is None:
        raise InputError(f"a {shape.kind} mask shape is not a bitmap")
    x, y, w, h = shape.box
    runs = np.array(shape.rle.split(), dtype=np.int64)
    if int(runs.sum()) != w * h:  # MaskShape checks this too; a bitmap must never be misread
        raise InputError(f"bitmap mask shape: runs add up to {int(runs.sum())}, not {w * h}")
    height, width = canvas.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)
    if x0 >= x1 or y0 >= y1:
        return
    bits = np.repeat(np.arange(runs.size) % 2 == 1, runs).reshape(h, w)
    canvas[y0:y1, x0:x1][bits[y0 - y : y1 - y, x0 - x : x1 - x]] = value


def _span(a: float, b: float, limit: int) -> tuple[int, int]:
    """The pixels whose centres lie in [min, max), clipped to 0..limit: (first, end)."""
    lo, hi = sorted((min(max(a, -_FAR), _FAR), min(max(b, -_FAR), _FAR)))
    return (min(max(math.ceil(lo - 0.5), 0), limit), min(max(math.ceil(hi - 0.5), 0), limit))
