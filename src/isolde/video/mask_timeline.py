"""A masked object's pixels on any frame: keyframes, tracked boxes and interpolation between.

Rules for one object on frame f, first match wins:

1. f is a keyframe → that keyframe's shapes, rasterized.
2. f has a tracked box whose anchor keyframe still exists → the anchor's raster moved and scaled
   from the anchor's box onto the tracked box. The anchor's box is the tracked box on the anchor
   frame when the track has one (the box the tracker started from), else the bounding box of the
   anchor's raster. With `obj.refine` and the frame's picture given, GrabCut then refines the
   shape inside the box (`refine_in_box` of isolde.video.refine / .tracking; skipped if missing).
   A box whose anchor keyframe was deleted is ignored (the frame falls to the rules below).
3. f lies between two keyframes → the keyframes' signed distance fields (> 0 inside) are
   scaled and moved so both bounding boxes land on the linearly interpolated box, and blended
   with weight t (0 at the earlier keyframe, 1 at the later); the mask is where the blend is
   ≥ 0 (the fields and the blend: isolde.video.mask_fields). If either keyframe is empty, the
   earlier one holds until the later one.
4. Before the first / after the last keyframe → the nearest keyframe holds. No keyframes → empty.

Keyframe rasters (cropped to their bounding box) and distance fields (mask_fields.FIELD_PIXELS
samples over the box, whatever its size) are cached, keyed by the keyframe's shapes, so playing
or rendering costs a warp, or two warps and a blend, per frame: never a redraw or a distance
transform. Refined masks are cached too, by frame and box: use one `MaskTimeline` per video.
The cache is LRU, bounded in entries and in bytes. Thread-safe.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from isolde.core.errors import InputError
from isolde.core.masks import MaskKeyframe, MaskObject, TrackBox
from isolde.video.mask_fields import Box, Field, blend, canvas_of, distance_field, field_aspect
from isolde.video.mask_raster import bounding_box, rasterize

CACHE_SIZE = 256  # keyframe rasters and fields and refined masks kept, LRU …
CACHE_BYTES = 64 << 20  # … in at most this much memory (a field is ~1 MB, made in ~3 ms)


@dataclass(frozen=True)
class _Raster:
    """A mask cropped to its bounding box: `bits` (h×w bool) at `box` (x, y, w, h)."""

    bits: np.ndarray
    box: tuple[int, int, int, int] | None  # None: nothing is on


class MaskTimeline:
    def __init__(self, width: int, height: int, *, cache_size: int = CACHE_SIZE) -> None:
        for name, value in (("width", width), ("height", height)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise InputError(f"a mask timeline needs a frame {name} ≥ 1, got {value!r}")
        self.width, self.height = int(width), int(height)
        self._cache: OrderedDict[Hashable, _Raster | Field] = OrderedDict()
        self._cache_size = cache_size
        self._cache_bytes = 0  # of the arrays in the cache
        self._lock = threading.Lock()

    # -- public -------------------------------------------------------------------------------

    def mask_at(self, obj: MaskObject, frame: int, image: np.ndarray | None = None) -> np.ndarray:
        """The object's mask on `frame` (bool H×W, a new array); `image` (H×W×3 RGB) is the
        frame's picture, used only to refine tracked frames of an object with `refine` on."""
        if isinstance(frame, bool) or not isinstance(frame, int | np.integer) or frame < 0:
            raise InputError(f"a frame number must be a whole number ≥ 0, got {frame!r}")
        frame = int(frame)
        keyframes = obj.keyframes
        frames = obj.keyframe_frames
        at = bisect.bisect_left(frames, frame)
        if at < len(frames) and frames[at] == frame:
            return self._full(self._raster(keyframes[at]))
        box = _track_box(obj, frame)
        if box is not None:
            return self._tracked(obj, box, image)
        if not keyframes:
            return self._empty()
        if at == 0:
            return self._full(self._raster(keyframes[0]))
        if at == len(keyframes):
            return self._full(self._raster(keyframes[-1]))
        before, after = keyframes[at - 1], keyframes[at]
        a, b = self._raster(before), self._raster(after)
        if a.box is None or b.box is None:
            return self._full(a)
        t = (frame - before.frame) / (after.frame - before.frame)
        aspect = field_aspect(a.box, b.box)
        fields = self._field(before, aspect), self._field(after, aspect)
        return blend(*fields, t, self.width, self.height)

    def combined(
        self,
        objects: Sequence[MaskObject],
        frame: int,
        image: np.ndarray | None = None,
        *,
        only_sent: bool = True,
    ) -> np.ndarray:
        """The union of the objects' masks on `frame` (those with `send` on, unless told)."""
        out: np.ndarray | None = None
        for obj in objects:
            if obj.send or not only_sent:
                mask = self.mask_at(obj, frame, image)  # a new array: the union may go into it
                out = mask if out is None else np.logical_or(out, mask, out=out)
        return self._empty() if out is None else out

    def keyframe_mask(self, keyframe: MaskKeyframe) -> np.ndarray:
        """One keyframe's raster (bool H×W, a new array), from the cache when drawn before."""
        return self._full(self._raster(keyframe))

    # -- the rules ----------------------------------------------------------------------------

    def _tracked(self, obj: MaskObject, box: TrackBox, image: np.ndarray | None) -> np.ndarray:
        anchor = obj.keyframe(box.anchor)
        assert anchor is not None  # _track_box only returns boxes with an anchor keyframe
        source = self._raster(anchor)
        if source.box is None:
            return self._empty()
        start = _track_box(obj, box.anchor)
        source_box = _box_of(start) if start is not None else tuple(map(float, source.box))
        target = _box_of(box)
        if not (obj.refine and image is not None):
            return self._full(self._warp(source, source_box, target, margin=1))
        self._check_image(image)
        key = ("refined", box, source_box, anchor.shapes)
        refined = self._cached(key)
        if not isinstance(refined, _Raster):
            prior = self._full(self._warp(source, source_box, target, margin=1))
            refined = _crop(_refine(image, box, prior))
            self._store(key, refined)
        return self._full(refined)

    def _warp(self, source: _Raster, source_box: Box, target: Box, *, margin: int) -> _Raster:
        """`source` scaled and moved so `source_box` lands on `target`, on a canvas covering
        `target` plus `margin` pixels (clipped to the frame). The canvas is returned whole, so
        two warps onto the same target line up pixel for pixel."""
        assert source.box is not None
        tx, ty, tw, th = target
        canvas = canvas_of(target, self.width, self.height, margin=margin)
        if canvas is None:
            return _Raster(np.zeros((0, 0), bool), None)
        x0, y0, x1, y1 = canvas
        sx, sy, sw, sh = source_box
        kx, ky = tw / sw, th / sh
        # Pixel centres: crop pixel u sits at display x = ox + u + 0.5, canvas pixel u' at
        # x0 + u' + 0.5; display x maps to tx + (x - sx) * kx.
        ox, oy = source.box[0], source.box[1]
        matrix = np.array(
            [
                [kx, 0.0, tx + (ox + 0.5 - sx) * kx - x0 - 0.5],
                [0.0, ky, ty + (oy + 0.5 - sy) * ky - y0 - 0.5],
            ]
        )
        bits = source.bits.astype(np.uint8) * 255
        moved = cv2.warpAffine(
            bits,
            matrix,
            (x1 - x0, y1 - y0),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=0,
        )
        return _Raster(moved > 127, (x0, y0, x1 - x0, y1 - y0))

    # -- rasters and the cache ----------------------------------------------------------------

    def _raster(self, keyframe: MaskKeyframe) -> _Raster:
        key = ("keyframe", keyframe.shapes)
        found = self._cached(key)
        if not isinstance(found, _Raster):
            found = _crop(rasterize(keyframe.shapes, self.width, self.height))
            self._store(key, found)
        return found

    def _field(self, keyframe: MaskKeyframe, aspect: float) -> Field:
        """The distance field of a keyframe that is not empty, measured in `aspect`."""
        key = ("field", keyframe.shapes, aspect)
        found = self._cached(key)
        if not isinstance(found, Field):
            raster = self._raster(keyframe)
            assert raster.box is not None  # only fields of keyframes that are not empty
            found = distance_field(raster.bits, raster.box, aspect)
            self._store(key, found)
        return found

    def _cached(self, key: Hashable) -> _Raster | Field | None:
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
            return found

    def _store(self, key: Hashable, item: _Raster | Field) -> None:
        _array(item).setflags(write=False)  # shared by every caller: never edited in place
        with self._lock:
            old = self._cache.pop(key, None)
            self._cache_bytes += _array(item).nbytes - (0 if old is None else _array(old).nbytes)
            self._cache[key] = item
            while len(self._cache) > 1 and (
                len(self._cache) > self._cache_size or self._cache_bytes > CACHE_BYTES
            ):
                self._cache_bytes -= _array(self._cache.popitem(last=False)[1]).nbytes

    def _empty(self) -> np.ndarray:
        return np.zeros((self.height, self.width), bool)

    def _full(self, raster: _Raster) -> np.ndarray:
        out = self._empty()
        if raster.box is not None:
            x, y, w, h = raster.box
            out[y : y + h, x : x + w] = raster.bits
        return out

    def _check_image(self, image: Any) -> None:
        shape = getattr(image, "shape", None)
        if shape is None or tuple(shape[:2]) != (self.height, self.width) or len(shape) != 3:
            raise InputError(
                f"the picture to refine a mask on must be {self.width}×{self.height}"
                f" RGB, got an array of shape {shape}"
            )


def _array(item: _Raster | Field) -> np.ndarray:
    return item.bits if isinstance(item, _Raster) else item.values


def _crop(mask: np.ndarray) -> _Raster:
    box = bounding_box(mask)
    if box is None:
        return _Raster(np.zeros((0, 0), bool), None)
    x, y, w, h = box
    return _Raster(mask[y : y + h, x : x + w].copy(), box)


def _track_box(obj: MaskObject, frame: int) -> TrackBox | None:
    """The tracked box on `frame` whose anchor keyframe exists, if any."""
    track = obj.track
    at = bisect.bisect_left(track, frame, key=lambda b: b.frame)
    if at < len(track) and track[at].frame == frame and obj.keyframe(track[at].anchor) is not None:
        return track[at]
    return None


def _box_of(box: TrackBox) -> Box:
    return (box.x, box.y, box.w, box.h)


def _refine(image: np.ndarray, box: TrackBox, prior: np.ndarray) -> np.ndarray:
    try:
        from isolde.video.refine import refine_in_box
    except ImportError:
        try:
            from isolde.video.tracking import refine_in_box
        except ImportError:  # refinement is optional for drawing masks: keep the moved shape
            return prior
    return np.asarray(refine_in_box(image, box, prior), dtype=bool)
