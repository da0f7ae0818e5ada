"""GrabCut inside a tracked box, seeded by the shape the box carries (OpenCV, no Qt).

`refine_in_box(image, box, prior)`: the mask timeline moves a keyframe's shape onto a tracked box
(the prior); this cuts the object out of the picture there instead. Seeds: probable foreground
where the prior is on, probable background elsewhere in the box, definite background in a margin
around the box (so GrabCut has background colours to learn from). The region is scaled to at most
`REFINE_SIDE` pixels a side first, so one call costs a few tens of milliseconds at any size.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from isolde.core.errors import InputError
from isolde.core.masks import TrackBox

Box = tuple[float, float, float, float]  # x, y, w, h in display pixels
REFINE_SIDE = 256  # GrabCut runs on the box's region scaled to at most this many pixels a side
REFINE_ITERATIONS = 3


def refine_in_box(image: np.ndarray, box: Box | TrackBox, prior_mask: np.ndarray) -> np.ndarray:
    """The object inside `box`, cut out of `image` (H×W×3 uint8) by GrabCut, as a bool H×W mask.

    Seeds: probable foreground where `prior_mask` is on, probable background elsewhere in the
    box, definite background in a margin around it. Nothing outside the box plus margin is ever
    on. When GrabCut finds nothing (or the region is too small to model), the prior is returned
    unchanged, clipped to that region.
    """
    if isinstance(box, TrackBox):
        box = (box.x, box.y, box.w, box.h)
    height, width = image.shape[:2]
    prior = np.asarray(prior_mask, dtype=bool)
    if prior.shape != (height, width):
        raise InputError(
            f"prior mask is {prior.shape[1]}×{prior.shape[0]}, the picture {width}×{height}"
        )
    x, y, w, h = box
    margin = max(4.0, 0.15 * max(w, h))
    x0, y0 = max(0, math.floor(x - margin)), max(0, math.floor(y - margin))
    x1, y1 = min(width, math.ceil(x + w + margin)), min(height, math.ceil(y + h + margin))
    out = np.zeros((height, width), bool)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return out
    region_prior = prior[y0:y1, x0:x1]
    seeds = np.full(region_prior.shape, cv2.GC_BGD, np.uint8)
    bx0, by0 = max(0, math.floor(x - margin / 2) - x0), max(0, math.floor(y - margin / 2) - y0)
    bx1, by1 = math.ceil(x + w + margin / 2) - x0, math.ceil(y + h + margin / 2) - y0
    seeds[by0:by1, bx0:bx1] = cv2.GC_PR_BGD
    seeds[region_prior] = cv2.GC_PR_FGD
    fallback = out.copy()
    fallback[y0:y1, x0:x1] = region_prior
    if not (seeds == cv2.GC_BGD).any() or not region_prior.any():
        return fallback
    patch = np.ascontiguousarray(image[y0:y1, x0:x1, :3])
    scale = min(1.0, REFINE_SIDE / max(patch.shape[:2]))
    if scale < 1.0:
        size = (max(4, round(patch.shape[1] * scale)), max(4, round(patch.shape[0] * scale)))
        patch = cv2.resize(patch, size, interpolation=cv2.INTER_AREA)
        small = cv2.resize(seeds, size, interpolation=cv2.INTER_NEAREST)
    else:
        small = seeds.copy()
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # GrabCut's k-means start is random: the same input gives the same mask
    try:
        cv2.grabCut(patch, small, None, bgd, fgd, REFINE_ITERATIONS, cv2.GC_INIT_WITH_MASK)
    except cv2.error:
        return fallback  # e.g. one colour only: no model can be fitted
    cut = ((small == cv2.GC_FGD) | (small == cv2.GC_PR_FGD)).astype(np.uint8)
    if scale < 1.0:
        cut = cv2.resize(cut, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
    if not cut.any():
        return fallback
    out[y0:y1, x0:x1] = cut.astype(bool)
    return out
