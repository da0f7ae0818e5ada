"""`assist_mask`: a click or a description in, an editable MaskObject for the whole clip out.

The headless entry point of the cloud mask assist (the CLI and the mask panel call it): checks
the prompt and the key before anything is sent, sends the video with its picture upright (a
rotated phone video is re-encoded once, so SAM 3's pixels are the display pixels the clicks are
in), runs SAM 3 on fal (sam3.py) and turns the masks into "assist" keyframes
(isolde.video.assist). Show `estimate_assist_cost` to the user before calling it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from isolde.core.errors import AudioFileError, InputError
from isolde.core.masks import MASK_COLORS, MaskObject
from isolde.core.progress import CancelToken, ProgressFn, no_progress
from isolde.providers.base import EventFn, JobEvent, ignore_events
from isolde.providers.fal.provider import FalProvider
from isolde.providers.fal.sam3 import AssistResult, Sam3Assist
from isolde.providers.fal.sam3_schema import (
    AssistPoint,
    AssistPrompt,
    check_prompt,
    estimate_assist_cost,
    frame_count,
)
from isolde.video import assist
from isolde.video.frames import VideoReader
from isolde.video.probe import probe_video

__all__ = ["AssistPoint", "AssistPrompt", "assist_mask", "assist_point", "estimate_assist_cost"]


def assist_point(
    video_path: str | Path, x: float, y: float, t: float, *, positive: bool = True
) -> AssistPoint:
    """A click at display pixel (x, y) on the frame shown at timeline time `t` (seconds), as
    the CLI's `X,Y@T` says it."""
    with VideoReader(video_path) as reader:
        return AssistPoint(x, y, reader.index_at(t), positive)


def display_size(info: Any) -> tuple[int, int]:
    width = int(getattr(info, "display_width", 0) or info.width)
    height = int(getattr(info, "display_height", 0) or info.height)
    return width, height


def upright_copy(
    path: Path, info: Any, reader: VideoReader, work_dir: Path, cancel: CancelToken | None
) -> Path:
    """`path` itself when its picture is stored upright, else an H.264 copy in display
    orientation (frames from `reader`, open on `path`, which applies the rotation)."""
    if not int(getattr(info, "rotation", 0) or 0) % 360:
        return path
    from fractions import Fraction

    import av

    out = work_dir / f"{path.stem}.upright.mp4"
    with av.open(str(out), "w") as container:
        rate = Fraction(info.fps).limit_denominator(100000) if info.fps else Fraction(25)
        stream = container.add_stream("libx264", rate=rate)
        width, height = display_size(info)
        # 4:4:4 takes odd sizes as they are; the mask must line up pixel for pixel.
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv444p"
        stream.options = {"crf": "16", "preset": "veryfast"}
        for i in range(reader.frame_count):
            if cancel is not None:
                cancel.raise_if_cancelled()
            frame = av.VideoFrame.from_ndarray(reader.frame(i), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out


def _progress_events(progress: ProgressFn, on_event: EventFn) -> EventFn:
    """JobEvents to the caller, and to a 0–0.7 share of `progress` (the rest is reading masks)."""
    stage = {"queued": 0.3, "submitted": 0.28, "running": 0.4}

    def handle(event: JobEvent) -> None:
        on_event(event)
        if event.message.startswith("uploading") and event.fraction is not None:
            progress(0.05 + 0.2 * event.fraction, event.message)
        elif event.state in stage:
            progress(stage[event.state], event.message)
        elif event.state == "log":
            progress(0.5, event.message)

    return handle


def _never_back(progress: ProgressFn) -> ProgressFn:
    """`progress` that never moves backwards (event stages can arrive out of order)."""
    done = [0.0]

    def report(fraction: float, message: str) -> None:
        done[0] = max(done[0], fraction)
        progress(done[0], message)

    return report


def masks_of(result: AssistResult, width: int, height: int) -> Iterator[np.ndarray]:
    if result.rle is not None:
        return assist.rle_masks(result.rle, result.width or width, result.height or height)
    assert result.mask_video is not None
    return assist.video_masks(result.mask_video)


def assist_mask(
    video_path: str | Path,
    *,
    text: str | None = None,
    points: Sequence[AssistPoint] = (),
    name: str | None = None,
    color: str = MASK_COLORS[0],
    detection_threshold: float | None = None,
    provider: FalProvider | None = None,
    work_dir: str | Path | None = None,
    on_event: EventFn = ignore_events,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> MaskObject:
    """SAM 3's mask of the object through the whole clip, as "assist" keyframes.

    `points` are clicks in display pixels on frame indices (positive = on the object);
    `text` says what the object is. Raises InputError for a bad prompt or file, MissingKeyError
    without a fal key (both before any network), the fal errors of the provider otherwise, and
    Cancelled (the remote job is cancelled too).
    """
    path = Path(video_path)
    if not path.is_file():
        raise AudioFileError(path, "no such file")
    info = probe_video(path)
    if info is None:
        raise InputError(f"{path.name} has no picture: the mask assist needs a video")
    width, height = display_size(info)
    prompt = AssistPrompt(text or "", tuple(points), detection_threshold)
    label = name or (text or "").strip() or "assisted object"
    progress = _never_back(progress)
    cost, _ = estimate_assist_cost(info)
    with tempfile.TemporaryDirectory(prefix="isolde-sam3-") as tmp:
        # One reader gives the exact frame count (the container's own can be missing or off)
        # and the upright copy; it is closed before the remote job.
        with VideoReader(path) as reader:
            frames = reader.frame_count or frame_count(info)
            check_prompt(prompt, width, height, frames, path.name)
            client = Sam3Assist(provider)
            client.require_key()
            work = Path(work_dir) if work_dir is not None else Path(tmp)
            work.mkdir(parents=True, exist_ok=True)
            progress(0.0, "preparing the video")
            send = upright_copy(path, info, reader, work, cancel)
        events = _progress_events(progress, on_event)
        result = client.run(
            send, prompt, (width, height), work, cost_usd=cost, on_event=events, cancel=cancel
        )
        progress(0.7, "reading the masks")

        def share(fraction: float, message: str) -> None:
            progress(0.7 + 0.3 * fraction, message)

        return assist.assist_object(
            masks_of(result, width, height),
            width,
            height,
            name=label,
            color=color,
            frame_count=frames or None,
            progress=share,
            cancel=cancel,
        )
