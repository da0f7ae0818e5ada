"""Signed distance fields of keyframe masks: how a mask is interpolated between two keyframes.

A keyframe's field (> 0 inside) is measured once, on a grid of about FIELD_PIXELS samples laid
over the keyframe's bounding box whatever its size, plus FIELD_PAD samples of "outside" each
side. A distance transform is the costly step, so it is done once per keyframe (and per grid
aspect, see `field_aspect`) and cached by `isolde.video.mask_timeline.MaskTimeline`; a frame
between two keyframes then costs only two warps and a blend (`blend`): each field is scaled and
moved so its box lands on the interpolated box, the two are weighted by t, and the mask is where
the blend is ≥ 0. Both fields of a pair are measured on grids of one aspect (that of the box
halfway between), so their distances compare like with like. Pure numpy + cv2, no state.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[float, float, float, float]  # x, y, w, h in display pixels
FIELD_PIXELS = 640 * 360  # a keyframe's distance field has about this many samples …
FIELD_PAD = 2  # … plus this many of "outside" on each side of its box
ASPECT_STEP = 0.05  # … on a grid whose aspect is a whole power of e^0.05
BLEND_PIXELS = 640 * 360  # a blend is worked out on at most this many pixels, then scaled up
TIE = 1 / 32  # a pixel whose centre is this close outside the blended edge still counts as in


@dataclass(frozen=True)
class Field:
    """A raster's signed distance field (float32, > 0 inside) on a grid of `scale` (x, y) samples
    per display pixel over the raster's `box` plus FIELD_PAD samples each side: sample (u, v) is
    centred on display (x + (u - FIELD_PAD + 0.5) / scale_x, y + (v - FIELD_PAD + 0.5) / scale_y).
    Distances are in grid samples divided by √(samples in the box): for two fields on grids of
    one size, laid on one box, the values compare."""

    values: np.ndarray
    box: tuple[int, int, int, int]
    scale: tuple[float, float]


def field_aspect(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """The aspect (width / height) of the box halfway between boxes `a` and `b`, rounded to a
    power of e^ASPECT_STEP (so nearby pairs share fields): the grid the fields are measured on."""
    aspect = (a[2] + b[2]) / (a[3] + b[3])
    return float(np.exp(round(np.log(aspect) / ASPECT_STEP) * ASPECT_STEP))


def distance_field(bits: np.ndarray, box: tuple[int, int, int, int], aspect: float) -> Field:
    """The signed distance field of `bits` (a mask cropped to its bounding `box`, not empty), on
    a grid of about FIELD_PIXELS samples whose sides are in proportion `aspect` laid over the box
    (each axis shrunk by area or stretched linearly, then split at half: the edges stay where
    they are, corners stay sharp)."""
    samples = bits.astype(np.float32)
    height, width = samples.shape
    size = (
        max(round((FIELD_PIXELS * aspect) ** 0.5), 1),
        max(round((FIELD_PIXELS / aspect) ** 0.5), 1),
    )
    for step, before, after in (((size[0], height), width, size[0]), (size, height, size[1])):
        how = cv2.INTER_AREA if after < before else cv2.INTER_LINEAR
        samples = cv2.resize(samples, step, interpolation=how)
    on = cv2.copyMakeBorder(
        (samples >= 0.5).astype(np.uint8), *(FIELD_PAD,) * 4, cv2.BORDER_CONSTANT, value=0
    )
    inside = cv2.distanceTransform(on, cv2.DIST_L2, cv2.DIST_MASK_5)
    outside = cv2.distanceTransform(1 - on, cv2.DIST_L2, cv2.DIST_MASK_5)
    values = (inside - outside) / np.float32((size[0] * size[1]) ** 0.5)
    return Field(values, box, (size[0] / width, size[1] / height))


def canvas_of(
    target: Box, width: int, height: int, *, margin: int
) -> tuple[int, int, int, int] | None:
    """The pixels (x0, y0, x1, y1) of a `width`×`height` frame covering `target` plus `margin`
    pixels, or None when nothing of it is in the frame."""
    tx, ty, tw, th = target
    x0, y0 = max(int(np.floor(tx)) - margin, 0), max(int(np.floor(ty)) - margin, 0)
    x1 = min(int(np.ceil(tx + tw)) + margin, width)
    y1 = min(int(np.ceil(ty + th)) + margin, height)
    return None if x0 >= x1 or y0 >= y1 else (x0, y0, x1, y1)


def blend(a: Field, b: Field, t: float, width: int, height: int) -> np.ndarray:
    """Both fields laid on the box interpolated with weight `t` (0: a's box, 1: b's) and
    blended; the mask (bool height×width) where the blend ≥ 0. Big canvases are blended on a
    grid of BLEND_PIXELS and the blend scaled back up (the fields are smooth, so the edge moves
    by under a pixel of that grid)."""
    box = tuple((1 - t) * p + t * q for p, q in zip(a.box, b.box, strict=True))
    canvas = canvas_of(box, width, height, margin=2)
    out = np.zeros((height, width), bool)
    if canvas is None:
        return out
    x0, y0, x1, y1 = canvas
    cw, ch = x1 - x0, y1 - y0
    scale = min(1.0, (BLEND_PIXELS / (cw * ch)) ** 0.5)
    size = (max(round(cw * scale), 1), max(round(ch * scale), 1))
    # Canvas sample (i, j) is centred on display (x0 + (i + 0.5) * ex, y0 + (j + 0.5) * ey).
    ex, ey = cw / size[0], ch / size[1]
    first = _aligned(a, box, (x0, y0, ex, ey), size)
    second = _aligned(b, box, (x0, y0, ex, ey), size)
    mixed = cv2.addWeighted(first, 1 - t, second, t, 0.0)
    if size != (cw, ch):
        mixed = cv2.resize(mixed, (cw, ch), interpolation=cv2.INTER_LINEAR)
    # TIE in pixels, but under a quarter of a field sample (samples off the shape are ≤ -1)
    tie = min(TIE / (box[2] * box[3]) ** 0.5, 0.25 / a.values.size**0.5)
    np.greater(mixed, -tie, out=out[y0:y1, x0:x1])
    return out


def _aligned(
    field: Field, target: Box, canvas: tuple[float, float, float, float], size: tuple[int, int]
) -> np.ndarray:
    """`field` moved and scaled so its box lands on `target`, sampled on a canvas of `size`
    whose sample (i, j) is centred on display (x0 + (i + 0.5) * ex, y0 + (j + 0.5) * ey) for
    `canvas` = (x0, y0, ex, ey). Beyond the grid the edge samples (all outside) go on."""
    x0, y0, ex, ey = canvas
    _, _, fw, fh = field.box
    tx, ty, tw, th = target
    kx, ky = tw / fw, th / fh
    sx, sy = field.scale
    # canvas sample → display → the keyframe's display (through the boxes) → field sample
    matrix = np.array(
        [
            [ex / kx * sx, 0.0, ((x0 + 0.5 * ex - tx) / kx) * sx + FIELD_PAD - 0.5],
            [0.0, ey / ky * sy, ((y0 + 0.5 * ey - ty) / ky) * sy + FIELD_PAD - 0.5],
        ]
    )
    return cv2.warpAffine(
        field.values,
        matrix,
        size,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
