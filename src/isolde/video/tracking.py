"""Follow a masked object from a keyframe, and refine a shape inside a box (OpenCV, no Qt).

- `track` runs one tracker (CSRT; MIL when CSRT is missing or cannot start) from a box on one
  frame, forward or backward, through the frames strictly between `start_frame` and
  `stop_frame`, and stops early where the tracker loses the object (`TrackRun.lost_at`).
- `track_object` does both directions from one of a `MaskObject`'s keyframes: forward up to the
  next keyframe (or the end), backward down to the previous one (or the start). Each box's
  anchor is that keyframe; the result can go straight to `Project.set_track`.
- `refine_in_box` (from `isolde.video.refine`, re-exported here) turns a prior mask (the
  anchor's shape moved onto a tracked box) into one that follows the picture, by GrabCut.

Speed: frames bigger than 640×360 are tracked on a copy scaled down to that many pixels (boxes
are scaled back), so tracking costs the same on any video. Frames are decoded and scaled on a
helper thread while the tracker works on the previous one (both release the GIL). Backward
tracking reads the frames in short forward runs (decoding backwards frame by frame would seek
every time) and feeds them to the tracker in reverse. CSRT runs without its spatial-reliability
segmentation (`CSRT_SEGMENTATION`): about a quarter faster, which is what keeps it above 30 fps
on one core, with the same accuracy on our moving-shape tests; `refine_in_box` does the shape.
Progress and cancel follow `isolde.core.progress`; a cancel raises `Cancelled` and nothing is
returned.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from isolde.core.errors import Cancelled, InputError
from isolde.core.masks import MaskObject, TrackBox
from isolde.core.progress import CancelToken, ProgressFn, no_progress
from isolde.video.prefetch import Prefetch
from isolde.video.refine import refine_in_box

__all__ = [
    "TrackRun",
    "TrackedBoxes",
    "refine_in_box",
    "track",
    "track_object",
]

ALGORITHMS = ("csrt", "mil")
WORK_PIXELS = 640 * 360  # frames above this many pixels are tracked on a scaled-down copy
BACKWARD_RUN = 32  # frames read forward at a time when tracking backward
PREFETCH = 8  # frames decoded ahead of the tracker
CSRT_SEGMENTATION = False
Box = tuple[float, float, float, float]  # x, y, w, h in display pixels


class FrameSource(Protocol):
    """What tracking needs from `isolde.video.frames.VideoReader`."""

    @property
    def frame_count(self) -> int: ...

    def frame(self, index: int) -> np.ndarray: ...  # H×W×3 uint8 RGB, display orientation

    def close(self) -> None: ...


ReaderFactory = Callable[[], FrameSource]


class TrackRun(list[TrackBox]):
    """The boxes one `track` call found, in the order it found them.

    `lost_at` is the frame where the tracker lost the object (no box there or after it), None
    when it reached `stop_frame`; `algorithm` is the tracker that ran ("csrt" or "mil").
    """

    def __init__(self, boxes: list[TrackBox], lost_at: int | None, algorithm: str) -> None:
        super().__init__(boxes)
        self.lost_at = lost_at
        self.algorithm = algorithm


class TrackedBoxes(tuple[TrackBox, ...]):
    """`track_object`'s boxes sorted by frame, plus where each direction lost the object
    (`lost_forward` / `lost_backward`: a frame, or None when it reached its end)."""

    lost_forward: int | None
    lost_backward: int | None

    def __new__(
        cls, boxes: list[TrackBox], lost_forward: int | None, lost_backward: int | None
    ) -> TrackedBoxes:
        self = super().__new__(cls, sorted(boxes, key=lambda b: b.frame))
        self.lost_forward = lost_forward
        self.lost_backward = lost_backward
        return self

    @property
    def lost(self) -> tuple[int, ...]:
        return tuple(f for f in (self.lost_backward, self.lost_forward) if f is not None)


# -- one direction ------------------------------------------------------------------------------
def track(
    reader_factory: ReaderFactory | FrameSource,
    start_frame: int,
    box: Box,
    *,
    direction: int = 1,
    stop_frame: int | None = None,
    algorithm: str = "csrt",
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> TrackRun:
    """Track the object inside `box` (display pixels, on `start_frame`) frame by frame.

    Covers the frames strictly between `start_frame` and `stop_frame` (default: the end in that
    direction, i.e. `frame_count` going forward, -1 going backward). `reader_factory` makes a
    reader that this call owns and closes; an open reader may be passed instead (this call
    reads from it on a helper thread, never concurrently with the caller, and leaves it open).
    Each box's anchor is `start_frame`.
    """
    if direction not in (1, -1):
        raise InputError(f"tracking direction must be +1 or -1, got {direction!r}")
    if algorithm not in ALGORITHMS:
        raise InputError(f"tracker must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")
    args = (start_frame, box, direction, stop_frame, algorithm, progress, cancel)
    if not callable(reader_factory):
        return _track(reader_factory, *args)
    reader = reader_factory()
    try:
        return _track(reader, *args)
    finally:
        reader.close()


def _track(
    reader: FrameSource,
    start: int,
    box: Box,
    direction: int,
    stop: int | None,
    algorithm: str,
    progress: ProgressFn,
    cancel: CancelToken | None,
) -> TrackRun:
    count = reader.frame_count
    if not 0 <= start < count:
        raise InputError(f"cannot track from frame {start}: the video has frames 0–{count - 1}")
    stop = (count if direction > 0 else -1) if stop is None else stop
    stop = min(max(stop, -1), count)
    total = max(0, (stop - start) * direction - 1)
    first = reader.frame(start)
    height, width = first.shape[:2]
    x, y, w, h = _checked_box(box, width, height, start)
    scale = _work_scale(width, height)
    tracker, used = _start(algorithm, _prepare(first, scale), _scaled((x, y, w, h), scale))
    boxes: list[TrackBox] = []
    lost_at: int | None = None
    what = "forward" if direction > 0 else "backward"
    progress(0.0, f"tracking {what}")
    frames = (
        _forward(reader, start, stop, scale)
        if direction > 0
        else _backward(reader, start, stop, scale)
    )
    with Prefetch(frames, PREFETCH) as ahead:
        for done, (index, image) in enumerate(ahead, 1):
            _check(cancel)
            ok, found = tracker.update(image)
            found_box = _unscaled(found, scale) if ok else None
            if found_box is None or not _plausible(found_box, width, height):
                lost_at = index
                break
            boxes.append(TrackBox(index, *found_box, anchor=start))
            progress(done / max(total, 1), f"tracking {what}: frame {index}")
    progress(
        1.0,
        f"lost the object on frame {lost_at}"
        if lost_at is not None
        else f"tracked {len(boxes)} frames {what}",
    )
    return TrackRun(boxes, lost_at, used)


def _checked_box(box: Box, width: int, height: int, frame: int) -> Box:
    try:
        x, y, w, h = (float(v) for v in box)
    except (TypeError, ValueError):
        raise InputError(f"a box is four numbers x, y, w, h, got {box!r}") from None
    if not all(math.isfinite(v) for v in (x, y, w, h)) or w < 1 or h < 1:
        raise InputError(f"box {box!r} on frame {frame}: needs finite x, y and w, h ≥ 1 pixel")
    x0, y0 = max(x, 0.0), max(y, 0.0)
    x1, y1 = min(x + w, float(width)), min(y + h, float(height))
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise InputError(
            f"box {x:g},{y:g},{w:g},{h:g} on frame {frame} is outside the {width}×{height} picture"
        )
    return x0, y0, x1 - x0, y1 - y0


def _work_scale(width: int, height: int) -> float:
    return min(1.0, math.sqrt(WORK_PIXELS / (width * height)))


def _prepare(rgb: np.ndarray, scale: float) -> np.ndarray:
    if scale < 1.0:
        size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def _scaled(box: Box, scale: float) -> tuple[int, int, int, int]:
    x, y, w, h = (v * scale for v in box)
    return round(x), round(y), max(1, round(w)), max(1, round(h))


def _unscaled(found: Any, scale: float) -> Box | None:
    x, y, w, h = (float(v) / scale for v in found)
    if not all(math.isfinite(v) for v in (x, y, w, h)) or w <= 0 or h <= 0:
        return None
    return x, y, w, h


def _plausible(box: Box, width: int, height: int) -> bool:
    """At least a quarter of the box still on the picture."""
    x, y, w, h = box
    inside = max(0.0, min(x + w, width) - max(x, 0.0)) * max(0.0, min(y + h, height) - max(y, 0.0))
    return inside >= 0.25 * w * h


def _start(algorithm: str, image: np.ndarray, box: tuple[int, int, int, int]) -> tuple[Any, str]:
    """A tracker initialised on `box`; CSRT falls back to MIL when it is missing or fails."""
    order = ("csrt", "mil") if algorithm == "csrt" else ("mil",)
    failure = ""
    for name in order:
        try:
            tracker = _csrt() if name == "csrt" else cv2.TrackerMIL.create()
            tracker.init(image, box)
            return tracker, name
        except (AttributeError, cv2.error) as exc:
            failure = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    raise InputError(
        f"the tracker cannot start on a {box[2]}×{box[3]} box ({failure}); "
        "draw a larger box around the object"
    )


def _csrt() -> Any:
    params = cv2.TrackerCSRT.Params()
    params.use_segmentation = CSRT_SEGMENTATION
    return cv2.TrackerCSRT.create(params)


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None and cancel.cancelled:
        raise Cancelled()


Frames = Iterator[tuple[int, np.ndarray]]


def _forward(reader: FrameSource, start: int, stop: int, scale: float) -> Frames:
    for index in range(start + 1, stop):
        yield index, _prepare(reader.frame(index), scale)


def _backward(reader: FrameSource, start: int, stop: int, scale: float) -> Frames:
    high = start - 1
    while high > stop:
        low = max(stop + 1, high - BACKWARD_RUN + 1)
        run = [_prepare(reader.frame(index), scale) for index in range(low, high + 1)]
        for index in range(high, low - 1, -1):
            yield index, run[index - low]
        high = low - 1


# -- both directions from a keyframe ------------------------------------------------------------
def track_object(
    path_or_reader: str | Path | FrameSource,
    obj: MaskObject,
    from_frame: int,
    *,
    algorithm: str = "csrt",
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> TrackedBoxes:
    """Track `obj` from its keyframe on `from_frame`, forward to its next keyframe (or the end)
    and backward to its previous keyframe (or the start). The start box is the bounding box of
    the keyframe's mask; every box's anchor is `from_frame`."""
    from isolde.video.mask_raster import bounding_box, rasterize

    keyframe = obj.keyframe(from_frame)
    if keyframe is None:
        raise InputError(
            f"mask {obj.name!r} has no keyframe on frame {from_frame}; paint the object there first"
        )
    owned = isinstance(path_or_reader, str | Path)
    reader = _open_reader(path_or_reader) if owned else path_or_reader
    try:
        first = reader.frame(from_frame) if 0 <= from_frame < reader.frame_count else None
        if first is None:
            raise InputError(
                f"frame {from_frame} is not in the video (frames 0–{reader.frame_count - 1})"
            )
        height, width = first.shape[:2]
        box = bounding_box(rasterize(keyframe.shapes, width, height))
        if box is None:
            raise InputError(f"mask {obj.name!r} is empty on frame {from_frame}: nothing to track")
        frames = obj.keyframe_frames
        after = min((f for f in frames if f > from_frame), default=reader.frame_count)
        before = max((f for f in frames if f < from_frame), default=-1)
        forward_n = max(0, after - from_frame - 1)
        backward_n = max(0, from_frame - before - 1)
        share = forward_n / max(forward_n + backward_n, 1)

        def part(offset: float, weight: float) -> ProgressFn:
            return lambda f, message: progress(offset + weight * f, message)

        ahead = track(
            reader,
            from_frame,
            box,
            direction=1,
            stop_frame=after,
            algorithm=algorithm,
            progress=part(0.0, share),
            cancel=cancel,
        )
        behind = track(
            reader,
            from_frame,
            box,
            direction=-1,
            stop_frame=before,
            algorithm=algorithm,
            progress=part(share, 1.0 - share),
            cancel=cancel,
        )
    finally:
        if owned:
            reader.close()
    return TrackedBoxes([*ahead, *behind], ahead.lost_at, behind.lost_at)


def _open_reader(path: str | Path) -> FrameSource:
    from isolde.video.frames import VideoReader

    return VideoReader(path)  # type: ignore[no-any-return]
