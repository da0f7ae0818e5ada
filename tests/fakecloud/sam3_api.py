"""fal's SAM 3 video segmentation (fal-ai/sam-3/video-rle) for the fake cloud.

Input is checked like fal's pydantic models would (422 detail lists), prompts included. The
"model" decodes the uploaded video and calls bright pixels (grey > 128) objects: a text prompt
takes every bright shape; a positive click takes the shape under it on its frame and follows
that shape through the clip by overlap (forward and backward); negative clicks remove the shape
under them. Output, per `cloud.sam3_output`:
  "list"  (default) {"rle": [one string per frame], "boxes": [...], "width", "height"}
  "file"  {"rle": File} whose JSON is {"rle": [...]}
  "video" {"video": File}, a lossless mask video, white = object.
RLE: 1-based "start length" pairs, row-major (isolde.video.assist speaks the same).
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

if TYPE_CHECKING:
    from .server import FakeCloud, Job

ENDPOINT = "fal-ai/sam-3/video-rle"
# Top-level fields (for fal_api's endpoint list); prompts are checked here, below.
SCHEMA: dict[str, dict[str, Any]] = {
    "required": {"video_url": "str"},
    "optional": {
        "mask_url": "str",
        "prompt": "str",
        "apply_mask": "bool",
        "boundingbox_zip": "bool",
        "detection_threshold": ("number", 0.0, 1.0),
    },
}
REACQUIRE_PX = 40.0  # how far from where it vanished a returning object may reappear
POINT = {"x": "int", "y": "int", "label": (0, 1), "object_id": "int", "frame_index": "int"}
BOX = {k: "int" for k in ("x_min", "y_min", "x_max", "y_max", "object_id", "frame_index")}


def check(body: Any) -> list[dict[str, Any]]:
    from .schema import _type_problem, check

    if not isinstance(body, dict):
        return check(body, SCHEMA)
    plain = {k: v for k, v in body.items() if k not in ("point_prompts", "box_prompts")}
    out = check(plain, SCHEMA)
    for field, rules, needed in (
        ("point_prompts", POINT, ("x", "y")),
        ("box_prompts", BOX, ("x_min", "y_min", "x_max", "y_max")),
    ):
        items = body.get(field, [])
        if not isinstance(items, list):
            out.append(_problem([field], "Input should be a valid list", "list_type"))
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                out.append(_problem([field, i], "Input should be a valid object", "dict_type"))
                continue
            for name in needed:
                if name not in item:
                    out.append(_problem([field, i, name], "Field required", "missing"))
            for name, value in item.items():
                rule = rules.get(name)
                problem = (
                    "Extra inputs are not permitted" if rule is None else _type_problem(value, rule)
                )
                if problem:
                    out.append(_problem([field, i, name], problem, "value_error"))
    return out


def _problem(loc: list[Any], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": ["body", *loc], "msg": msg, "type": kind}


# -- the "model" -------------------------------------------------------------------------------
def _frames(data: bytes) -> list[np.ndarray]:
    import av

    with av.open(io.BytesIO(data)) as container:
        return [f.to_ndarray(format="gray") for f in container.decode(video=0)]


def _labels(gray: np.ndarray) -> np.ndarray:
    _, labels = cv2.connectedComponents((gray > 128).astype(np.uint8), connectivity=8)
    return labels


def _follow(labels: list[np.ndarray], start: int, seed: np.ndarray) -> list[np.ndarray]:
    """The shape `seed` on frame `start`, then on each frame the shape overlapping it most;
    once lost (out of the picture), the first shape of similar size near where it was last seen
    (SAM 3's memory picks an object up again when it comes back)."""
    out: list[np.ndarray] = [np.zeros_like(labels[0], bool) for _ in labels]
    out[start] = seed
    for step in (1, -1):
        previous, i = seed, start + step
        while 0 <= i < len(labels):
            current = _next_shape(labels[i], previous)
            if current is not None:
                out[i], previous = current, current
            i += step
    return out


def _next_shape(labels: np.ndarray, previous: np.ndarray) -> np.ndarray | None:
    hits = labels[previous & (labels > 0)]
    if hits.size:
        return labels == np.bincount(hits).argmax()
    ys, xs = np.nonzero(previous)
    area, best, where = len(xs), None, REACQUIRE_PX
    for label in range(1, int(labels.max()) + 1):
        shape = labels == label
        sy, sx = np.nonzero(shape)
        distance = float(np.hypot(sx.mean() - xs.mean(), sy.mean() - ys.mean()))
        if 0.5 <= len(sx) / area <= 2.0 and distance < where:
            best, where = shape, distance
    return best


def segment(frames: list[np.ndarray], body: dict[str, Any]) -> list[np.ndarray]:
    from .fal_api import _InputError

    labels = [_labels(f) for f in frames]
    points = body.get("point_prompts") or []
    text = str(body.get("prompt", "")).strip()
    if not text and not points and not body.get("box_prompts"):
        raise _InputError("prompt", "Provide a text prompt, point prompts or box prompts")
    masks = [lab > 0 for lab in labels] if text else [np.zeros_like(f, bool) for f in frames]
    for p in points:
        i = int(p.get("frame_index", 0))
        if not 0 <= i < len(frames):
            raise _InputError("point_prompts", f"frame_index {i} is outside the video")
        h, w = frames[i].shape
        if not (0 <= p["x"] < w and 0 <= p["y"] < h):
            raise _InputError("point_prompts", "point outside the frame")
        label = labels[i][p["y"], p["x"]]
        if label == 0:
            continue
        track = _follow(labels, i, labels[i] == label)
        for k, shape in enumerate(track):
            masks[k] = masks[k] | shape if p.get("label", 1) == 1 else masks[k] & ~shape
    return masks


def _rle(mask: np.ndarray) -> str:
    flat = np.concatenate([[0], mask.ravel().astype(np.int8), [0]])
    changes = np.flatnonzero(np.diff(flat)) + 1
    return " ".join(f"{s} {e - s}" for s, e in zip(changes[0::2], changes[1::2], strict=True))


def _box(mask: np.ndarray) -> list[float] | None:
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return None
    h, w = mask.shape
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    return [
        float((x0 + x1) / 2 / w),
        float((y0 + y1) / 2 / h),
        float((x1 - x0) / w),
        float((y1 - y0) / h),
    ]


def _mask_video(masks: list[np.ndarray]) -> bytes:
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.height, stream.width = masks[0].shape
        stream.pix_fmt, stream.options = "yuv444p", {"qp": "0"}
        for mask in masks:
            gray = np.where(mask, 255, 0).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(np.dstack([gray] * 3), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buffer.getvalue()


def run_model(cloud: FakeCloud, job: Job) -> dict[str, Any]:
    from .fal_api import _InputError

    data = cloud.resolve(str(job.body.get("video_url", "")))
    if data is None:
        raise _InputError("video_url", "Could not download the file from the given URL")
    try:
        frames = _frames(data)
    except Exception as exc:
        raise _InputError("video_url", f"Unreadable video ({type(exc).__name__})") from None
    masks = segment(frames, job.body)
    height, width = frames[0].shape
    mode = getattr(cloud, "sam3_output", "list")
    if mode == "video":
        _, url = cloud.store(_mask_video(masks), "video/mp4", "masks.mp4")
        return {"video": {"url": url, "content_type": "video/mp4", "file_name": "masks.mp4"}}
    rle = [_rle(m) for m in masks]
    if mode == "file":
        blob = json.dumps({"rle": rle}).encode()
        _, url = cloud.store(blob, "application/json", "rle.json")
        return {"rle": {"url": url, "content_type": "application/json", "file_name": "rle.json"}}
    return {"rle": rle, "boxes": [_box(m) for m in masks], "width": width, "height": height}
