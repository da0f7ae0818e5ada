"""Per-frame masks from the cloud assist → one editable MaskObject with few "assist" keyframes.

The assist (SAM 3 on fal, see isolde.providers.fal.sam3) returns a mask for every frame, either
as run-length text (fal's "Kaggle" order: space-separated `start length` pairs, 1-based starts,
row-major over the whole frame, runs = object pixels) or as a mask video (white = object).
Keeping every frame would bloat the project file, so frames are kept as keyframes only where
the mask differs noticeably from what the editor's interpolation between the kept neighbours
would show: IoU below `min_iou` (0.9), a one-pixel edge forgiven (`agreement`), which includes
a shape appearing or vanishing. The choice is a
recursive split (keep the worst-predicted frame, split there, repeat), judged on masks shrunk to
at most `COMPARE_SIDE` pixels so long clips stay quick. The prediction is the editor's own
(isolde.video.mask_timeline.MaskTimeline); `predict` restates its rule for when that module is
absent: bounding boxes aligned to the linearly interpolated box, signed distance fields blended,
an empty neighbour holds the previous mask.

Masks are bool arrays H×W in display pixels; nothing here talks to the network.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np

from isolde.core.errors import Cancelled, InputError
from isolde.core.masks import MASK_COLORS, MaskKeyframe, MaskObject, MaskShape
from isolde.core.progress import CancelToken, ProgressFn, no_progress
from isolde.video.mask_raster import encode_bitmap

log = logging.getLogger(__name__)
COMPARE_SIDE = 256  # longest side of the masks the keyframe choice compares
MIN_IOU = 0.9


# -- reading what came back ----------------------------------------------------------------
def decode_fal_rle(text: str, width: int, height: int) -> np.ndarray:
    """One frame of fal's RLE (1-based `start length` pairs, row-major) as a bool H×W mask."""
    n = width * height
    numbers = np.array(text.split(), dtype=np.int64) if text.strip() else np.zeros(0, np.int64)
    if numbers.size % 2:
        raise ValueError("an odd count of numbers (RLE needs start/length pairs)")
    starts, lengths = numbers[0::2] - 1, numbers[1::2]
    if numbers.size and (starts.min() < 0 or lengths.min() < 0 or (starts + lengths).max() > n):
        raise ValueError(f"runs reach outside a {width}×{height} frame")
    edges = np.zeros(n + 1, np.int32)
    np.add.at(edges, starts, 1)
    np.add.at(edges, starts + lengths, -1)
    return (np.cumsum(edges[:n]) > 0).reshape(height, width)


def encode_fal_rle(mask: np.ndarray) -> str:
    """The inverse of `decode_fal_rle` (the fake cloud and tests speak it too)."""
    flat = np.concatenate([[0], np.asarray(mask, bool).ravel().astype(np.int8), [0]])
    changes = np.flatnonzero(np.diff(flat)) + 1
    starts, ends = changes[0::2], changes[1::2]
    return " ".join(f"{s} {e - s}" for s, e in zip(starts, ends, strict=True))


def rle_masks(frames: Sequence[str], width: int, height: int) -> Iterator[np.ndarray]:
    for i, text in enumerate(frames):
        try:
            yield decode_fal_rle(text, width, height)
        except ValueError as exc:
            raise InputError(f"the assist's mask for frame {i} is unreadable: {exc}") from None


def video_masks(path: str | Path) -> Iterator[np.ndarray]:
    """Masks from a mask video in which white is the object (decoded one frame at a time)."""
    import av

    try:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                yield frame.to_ndarray(format="gray") > 127
    except (av.FFmpegError, OSError) as exc:
        raise InputError(
            f"the assist's mask video {Path(path).name} is unreadable ({exc})"
        ) from None


def fit(mask: np.ndarray, width: int, height: int) -> np.ndarray:
    """`mask` at the display size (nearest neighbour when the engine answered at another one)."""
    if mask.shape == (height, width):
        return mask
    return cv2.resize(mask.astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST) > 0


# -- bitmaps (the spec's RLE; the shared encoder is video/mask_raster.encode_bitmap) ---------
def _encode_bitmap_here(mask: np.ndarray) -> MaskShape:
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return MaskShape("bitmap", box=(0, 0, 0, 0), rle="")
    x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
    values = mask[y0:y1, x0:x1].ravel().astype(np.int8)
    changes = np.flatnonzero(np.diff(values)) + 1
    runs = np.diff(np.concatenate([[0], changes, [values.size]])).tolist()
    if values[0]:
        runs.insert(0, 0)  # runs start with "off"
    return MaskShape("bitmap", box=(x0, y0, x1 - x0, y1 - y0), rle=" ".join(map(str, runs)))


# -- choosing keyframes ----------------------------------------------------------------------
def _bbox(mask: np.ndarray) -> tuple[float, float, float, float]:
    ys, xs = np.nonzero(mask)
    return float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)


def _place(mask: np.ndarray, src: tuple, dst: tuple) -> np.ndarray:
    sx = (dst[2] - dst[0]) / max(src[2] - src[0], 1e-6)
    sy = (dst[3] - dst[1]) / max(src[3] - src[1], 1e-6)
    matrix = np.float32([[sx, 0, dst[0] - src[0] * sx], [0, sy, dst[1] - src[1] * sy]])
    h, w = mask.shape
    return cv2.warpAffine(mask.astype(np.uint8), matrix, (w, h), flags=cv2.INTER_NEAREST)


def _sdf(mask: np.ndarray) -> np.ndarray:
    inside = cv2.distanceTransform(mask, cv2.DIST_L2, 3)
    outside = cv2.distanceTransform(1 - mask, cv2.DIST_L2, 3)
    return inside - outside


def predict(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """What interpolation between keyframe masks `a` (t=0) and `b` (t=1) shows at `t`."""
    if not a.any() or not b.any():
        return a  # an empty neighbour: the previous mask holds until the next keyframe
    box_a, box_b = _bbox(a), _bbox(b)
    box = tuple(p + (q - p) * t for p, q in zip(box_a, box_b, strict=True))
    blend = (1 - t) * _sdf(_place(a, box_a, box)) + t * _sdf(_place(b, box_b, box))
    return blend > 0


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return 1.0 if union == 0 else np.count_nonzero(a & b) / union


def agreement(shown: np.ndarray, actual: np.ndarray) -> float:
    """IoU that forgives a one-pixel edge: a pixel only one of the masks has, lying next to the
    other mask, is rounding (a whole-pixel shape at a fractional place), not a difference."""
    union = np.count_nonzero(shown | actual)
    if union == 0:
        return 1.0
    ring = np.ones((3, 3), np.uint8)
    near = (cv2.dilate(shown.astype(np.uint8), ring) > 0) & (
        cv2.dilate(actual.astype(np.uint8), ring) > 0
    )
    forgiven = np.count_nonzero((shown ^ actual) & near)
    kept = union - forgiven
    return 1.0 if kept == 0 else np.count_nonzero(shown & actual) / kept


def shrink(mask: np.ndarray, side: int = COMPARE_SIDE) -> np.ndarray:
    h, w = mask.shape
    scale = min(side / max(h, w), 1.0)
    if scale == 1.0:
        return mask
    size = (max(round(w * scale), 1), max(round(h * scale), 1))
    small = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA) >= 0.5
    return small | (cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0)


Predictor = Callable[[int, int, int], np.ndarray]  # (a, b, i) → mask shown on frame i


def _predictor(small: Sequence[np.ndarray]) -> Predictor:
    """Frame i as the editor would show it with keyframes on a and b only: the editor's own
    MaskTimeline (on the shrunk masks) when it is there, else `predict`, its documented rule."""
    try:
        from isolde.video.mask_timeline import MaskTimeline
    except ImportError:
        return lambda a, b, i: predict(small[a], small[b], (i - a) / (b - a))
    height, width = small[0].shape
    timeline = MaskTimeline(width, height)
    shapes: dict[int, tuple[MaskShape, ...]] = {}

    def keyframe(k: int) -> MaskKeyframe:
        if k not in shapes:
            shapes[k] = (encode_bitmap(small[k]),) if small[k].any() else ()
        return MaskKeyframe(k, shapes[k], origin="assist")

    def shown(a: int, b: int, i: int) -> np.ndarray:
        obj = MaskObject(name="assist", keyframes=(keyframe(a), keyframe(b)))
        return timeline.mask_at(obj, i)

    return shown


def choose_keyframes(small: Sequence[np.ndarray], min_iou: float = MIN_IOU) -> list[int]:
    """Frame indices to keep so interpolation reproduces every frame with IoU ≥ `min_iou`."""
    n = len(small)
    if n == 0:
        return []
    shown = _predictor(small)
    keep, spans = {0, n - 1}, [(0, n - 1)]
    while spans:
        a, b = spans.pop()
        worst, where = 1.0, -1
        for i in range(a + 1, b):
            score = agreement(shown(a, b, i), small[i])
            if score < worst:
                worst, where = score, i
        if where >= 0 and worst < min_iou:
            keep.add(where)
            spans += [(a, where), (where, b)]
    return sorted(keep)


# -- the object --------------------------------------------------------------------------------
def assist_object(
    masks: Iterator[np.ndarray] | Sequence[np.ndarray],
    width: int,
    height: int,
    *,
    name: str,
    color: str = MASK_COLORS[0],
    frame_count: int | None = None,
    min_iou: float = MIN_IOU,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    on_frame: Callable[[int], None] | None = None,
) -> MaskObject:
    """A MaskObject whose "assist" keyframes reproduce the per-frame `masks` (display size).

    Masks are read once, in order; only shrunk copies and the kept frames' bitmaps stay in
    memory. `frame_count` (the video's) caps how many masks are used; a shorter answer is held.
    """
    small: list[np.ndarray] = []
    shapes: list[MaskShape | None] = []  # every frame's bitmap, compact (for the kept ones)
    for i, mask in enumerate(masks):
        if frame_count is not None and i >= frame_count:
            log.info("the assist answered more frames than the video has; extra ones ignored")
            break
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        full = fit(np.asarray(mask, bool), width, height)
        small.append(shrink(full))
        shapes.append(encode_bitmap(full) if full.any() else None)
        if on_frame is not None:
            on_frame(i)
        if frame_count:
            progress(0.8 * (i + 1) / frame_count, f"reading the mask of frame {i + 1}")
    if not any(s is not None for s in shapes):
        raise InputError(
            f"SAM 3 found nothing for {name!r} in this clip; describe the object differently, "
            "click on it, or lower the detection threshold"
        )
    if frame_count is not None and len(small) < frame_count:
        log.info(
            "the assist answered %d of %d frames; the last mask holds", len(small), frame_count
        )
    progress(0.85, "choosing keyframes")
    kept = choose_keyframes(small, min_iou)
    keyframes = tuple(
        MaskKeyframe(i, () if shapes[i] is None else (shapes[i],), origin="assist") for i in kept
    )
    progress(1.0, f"{len(kept)} keyframes from {len(small)} frames")
    return MaskObject(name=name, color=color, keyframes=keyframes)
