"""SAM 3 video segmentation on fal (the cloud mask assist): endpoint, input, price, output.

What fal's documentation says (read 2026-12-06 with the search tool; stored copies):

- https://fal.ai/models/fal-ai/sam-3/video-rle/llms.txt (and …/video-rle/api): model id
  `fal-ai/sam-3/video-rle`, "$0.005 per 16 frames of video". Input: `video_url` (required),
  `mask_url`, `prompt` (text, default "", commas track several objects), `point_prompts`
  (list of PointPrompt "with frame indices"), `box_prompts` (BoxPrompt, optional frame_index),
  `apply_mask` (default false), `boundingbox_zip` (default false), `detection_threshold`
  (0.0–1.0; "0.5 for existing, 0.7 for new objects; try 0.2–0.3 if text prompts fail").
- fal's shared SAM 3 types (mirrored in a public reference of fal's schema): PointPrompt
  `{x: int, y: int, label: 1 foreground | 0 background, object_id?: int, frame_index: int}`,
  BoxPrompt `{x_min, y_min, x_max, y_max: int, object_id?, frame_index}`; pixel coordinates.
- https://fal.ai/models/fal-ai/sam-3/video/llms.txt: the plain `…/video` endpoint returns only
  an overlay video, and its PointPromptBase has no frame_index — so a click on any frame but the
  first cannot be expressed there. That is why the assist uses `video-rle`.

Where the stored docs are thin — and how this module reads the result:
- The output section of video-rle's llms.txt was not in the stored copy. fal's typings name the
  result a union `SAM3VideoOutput | SAM3RLEOutput | SAM3RLEFileOutput`, i.e. `{video: File}`,
  `{rle: string | string[], boxes?, scores?, metadata?}` or `{rle: File}`; a public build log of
  a user of this endpoint reports `rle` per frame plus per-frame `boxes` (normalized cx, cy, w,
  h) and RLE "space-separated start/run pairs over the row-major frame". We accept all three
  shapes: per-frame RLE inline, RLE in a JSON file, or a mask video (white = object, as
  `apply_mask: false` renders it) — see `read_output`.
- RLE start index: fal's SAM 3 types call it "Kaggle/COCO order", i.e. Kaggle's 1-based starts.
  We decode it so (video/assist.py); a 0-based encoder would shift masks by one pixel.
- fal decodes the uploaded file itself; rotation metadata is not discussed. Isolde sends a video
  whose stored picture is already upright (see sam3.py), so mask pixels = display pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from isolde.core.errors import InputError
from isolde.providers.errors import ProtocolError

ENDPOINT = "fal-ai/sam-3/video-rle"
USD_PER_16_FRAMES = 0.005
PRICE_NOTE = (
    "fal's published price for SAM 3 video segmentation (fal-ai/sam-3/video-rle): $0.005 per "
    "16 frames of video, recorded 2026-12-06"
)
MAX_TEXT = 500  # a short description is what SAM 3 wants; very long text is a mistake


@dataclass(frozen=True)
class AssistPoint:
    """A click on the object (positive) or on what is not it (negative), in display pixels."""

    x: float
    y: float
    frame: int
    positive: bool = True


@dataclass(frozen=True)
class AssistPrompt:
    text: str = ""
    points: tuple[AssistPoint, ...] = ()
    detection_threshold: float | None = None  # None: fal's own default

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", tuple(self.points))


def prompt_problems(prompt: AssistPrompt, width: int, height: int, frames: int) -> list[str]:
    """What is wrong with `prompt` for a `width`×`height` clip of `frames` frames (display)."""
    out = []
    text = prompt.text.strip()
    if not text and not any(p.positive for p in prompt.points):
        out.append("say what the object is (text) or click on it at least once")
    if len(text) > MAX_TEXT:
        out.append(f"the description is {len(text)} characters; keep it under {MAX_TEXT}")
    for p in prompt.points:
        where = f"the click at ({p.x:g}, {p.y:g}) on frame {p.frame}"
        if not (math.isfinite(p.x) and math.isfinite(p.y)):
            out.append(f"{where} is not a pixel position")
        elif not (0 <= p.x < width and 0 <= p.y < height):
            out.append(f"{where} is outside the {width}×{height} picture")
        if not isinstance(p.frame, int) or p.frame < 0 or (frames and p.frame >= frames):
            last = f" (0–{frames - 1})" if frames else ""
            out.append(f"{where} names a frame the video does not have{last}")
    threshold = prompt.detection_threshold
    if threshold is not None and not (0.0 < threshold <= 1.0):
        out.append(f"detection threshold must be in (0, 1], got {threshold}")
    return out


def check_prompt(prompt: AssistPrompt, width: int, height: int, frames: int, name: str) -> None:
    problems = prompt_problems(prompt, width, height, frames)
    if problems:
        raise InputError(f"cannot ask SAM 3 for a mask of {name}: " + "; ".join(problems))


def build_input(prompt: AssistPrompt, video_url: str) -> dict[str, Any]:
    """The JSON body for fal-ai/sam-3/video-rle (pixel coordinates become whole pixels)."""
    text = prompt.text.strip()
    body: dict[str, Any] = {"video_url": video_url, "prompt": text, "apply_mask": False}
    if prompt.points:
        points = []
        for p in prompt.points:
            point = {
                "x": math.floor(p.x),
                "y": math.floor(p.y),
                "label": 1 if p.positive else 0,
                "frame_index": p.frame,
            }
            if not text:  # all clicks refine one object (with text, the id would pick one)
                point["object_id"] = 1
            points.append(point)
        body["point_prompts"] = points
    if prompt.detection_threshold is not None:
        body["detection_threshold"] = float(prompt.detection_threshold)
    return body


def frame_count(info: Any) -> int:
    """Frames in a VideoInfo: as the container says, else duration × rate (rounded up)."""
    frames = int(getattr(info, "frames", 0) or 0)
    if frames <= 0:
        frames = math.ceil(float(info.duration) * float(info.fps) - 1e-6)
    return max(frames, 0)


def estimate_assist_cost(video_info: Any) -> tuple[float, str]:
    """(US dollars, where the number comes from) for segmenting the whole clip once."""
    frames = frame_count(video_info)
    units = max(math.ceil(frames / 16), 1)
    usd = round(units * USD_PER_16_FRAMES, 4)
    return usd, f"{frames} frames, {units} × 16 frames at ${USD_PER_16_FRAMES} — {PRICE_NOTE}"


# -- the result -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Sam3Output:
    """What the result call said: per-frame RLE inline, or where to fetch the masks."""

    rle: tuple[str, ...] | None = None
    rle_url: str | None = None
    video_url: str | None = None
    width: int | None = None
    height: int | None = None


def rle_list(value: Any, where: str) -> tuple[str, ...]:
    """Per-frame RLE strings from `value` (a list, one string, or {"rle": …} as a file holds)."""
    if isinstance(value, dict) and "rle" in value:
        value = value["rle"]
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str | dict | None) for v in value):
        return tuple(_one_rle(v, where) for v in value)
    raise ProtocolError(f"fal: the mask data in {where} is not a list of RLE strings")


def _one_rle(value: str | dict | None, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    counts = value.get("counts")
    if isinstance(counts, str):
        return counts
    raise ProtocolError(f"fal: a frame's mask in {where} has no RLE counts")


def _size(data: dict[str, Any]) -> tuple[int | None, int | None]:
    for source in (data, data.get("metadata") if isinstance(data.get("metadata"), dict) else {}):
        w, h = source.get("width"), source.get("height")
        if isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0:
            return w, h
    return None, None


def read_output(data: Any) -> Sam3Output:
    """The masks' whereabouts in a video-rle result; ProtocolError when there are none."""
    if not isinstance(data, dict):
        raise ProtocolError("fal: the SAM 3 result is not a JSON object")
    width, height = _size(data)
    rle = data.get("rle")
    if isinstance(rle, dict) and rle.get("url"):
        return Sam3Output(rle_url=str(rle["url"]), width=width, height=height)
    if rle not in (None, ""):
        return Sam3Output(rle=rle_list(rle, "the result"), width=width, height=height)
    video = data.get("video")
    if isinstance(video, dict) and video.get("url"):
        return Sam3Output(video_url=str(video["url"]), width=width, height=height)
    raise ProtocolError(
        "fal: the SAM 3 result holds neither RLE masks nor a mask video; try again later"
    )
