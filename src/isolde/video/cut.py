"""Cut a stretch out of a video and out of its mask video, for sending only that stretch.

Visual separation with a selection sends the selected range plus context, not the whole film
(see `providers.selection`). Both cuts take timeline times (seconds after the source's first
sound sample, as `VideoReader` counts them) and start at 0: the frame shown at `start` becomes
the first frame, every later frame before `end` follows at its own distance from `start`, so a
variable frame rate is kept and the picture, the mask and the sound stay in step.

* `cut_video` re-encodes the picture upright (any rotation baked in, so it lines up with a mask
  drawn on the displayed picture whatever the engine's reader does with display matrices) as
  H.264, CRF 16: visually lossless. 4:2:0 for even sizes, 4:4:4 for odd ones (4:2:0 cannot be
  odd; padding would shift the picture against the mask). Its sound is the given audio from
  sample 0, or the video's own sound over the range, muxed by `video.mux` (AAC in MP4).
* `cut_mask` re-encodes a mask video losslessly (libx264 `qp=0` on `gray`, like
  `video.mask_video`; each frame's luma bytes as decoded, same colour range): a binary mask
  stays exactly binary, and odd sizes need no padding.

Outputs are written atomically; cancelling or failing leaves nothing.
"""

from __future__ import annotations

import bisect
import contextlib
import math
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error
import numpy as np

from isolde.audio import AudioSource, OutputFormat, open_audio, transcode
from isolde.core.errors import AudioFileError, InputError
from isolde.core.progress import CancelToken, ProgressFn
from isolde.video.frames import VideoReader
from isolde.video.mux import _move, mux, timeline_origin
from isolde.video.probe import picture_stream, probe_video

TIME_BASE = Fraction(1, 90_000)
PICTURE_OPTIONS = {"preset": "veryfast", "crf": "16"}
MASK_OPTIONS = {"preset": "ultrafast", "qp": "0", "x264-params": "cabac=1:bframes=0"}


@dataclass(frozen=True)
class Cut:
    """A cut file: `frames` pictures from timeline time `start` (the first one is the frame
    shown there) up to `end`."""

    path: Path
    start: float
    end: float
    frames: int


def _check_range(path: Path, start: float, end: float, out: Path) -> None:
    if not (0 <= start < end):
        raise InputError(f"cut {start:g}–{end:g} s: the start must be ≥ 0 and before the end")
    if out.suffix.lower() not in (".mp4", ".mov", ".mkv"):
        raise InputError(f"{out}: a cut is written as .mp4, .mov or .mkv")
    if out.exists() and path.exists() and os.path.samefile(out, path):
        raise InputError(f"{out}: the cut would overwrite its source; choose another name")


def _temp(out: Path, tag: str = "") -> Path:
    return out.with_name(f".{out.stem}{tag}.{secrets.token_hex(4)}.part{out.suffix}")


def _restamp(times: list[float], start: float) -> list[int]:
    """Output pts (TIME_BASE) for frames at these timeline times: the first at 0, strictly
    increasing."""
    stamps: list[int] = []
    for t in times:
        pts = max(round((t - start) / TIME_BASE), 0)
        stamps.append(pts if not stamps else max(pts, stamps[-1] + 1))
    return stamps


def _encoder(out: Any, width: int, height: int, pix_fmt: str, fps: float, options: dict) -> Any:
    rate = Fraction(fps).limit_denominator(1001) if fps > 0 else Fraction(25)
    stream = out.add_stream("libx264", rate=rate, options=dict(options))
    stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
    stream.codec_context.time_base = TIME_BASE
    stream.time_base = TIME_BASE
    return stream


def _encode(stream: Any, out: Any, frame: av.VideoFrame | None) -> None:
    for packet in stream.encode(frame):
        out.mux(packet)


@contextlib.contextmanager
def _atomic(out: Path) -> Iterator[Path]:
    tmp = _temp(out)
    try:
        yield tmp
        _move(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _report(progress: ProgressFn | None, done: int, total: int, label: str) -> None:
    if progress is not None and total and done % 10 == 0:
        progress(min(done / total, 0.999), label)


def cut_video(
    path: str | os.PathLike[str],
    start: float,
    end: float,
    out_path: str | os.PathLike[str],
    *,
    audio: str | os.PathLike[str] | AudioSource | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Cut:
    """The picture of `path` over timeline [start, end) as upright H.264 in `out_path`, with
    `audio` (from its sample 0) or else the video's own sound over the same range."""
    src, out = Path(path), Path(out_path)
    _check_range(src, start, end, out)
    picture = _temp(out, "-picture")
    sound: Path | None = None
    try:
        with VideoReader(src) as reader:
            first = reader.index_at(start)
            last = max(bisect.bisect_left(reader.times, end), first + 1)
            times = list(reader.times[first:last])
            indices = list(range(first, last))
            if last >= reader.frame_count:  # the picture ends before `end`: hold its last frame
                for t in _held(max(times[-1], start), end, _frame_rate(reader)):
                    times.append(t)
                    indices.append(last - 1)
            stamps = _restamp(times, start)
            with av.open(str(picture), "w", format="mp4") as dst:
                image = reader.frame(first)
                height, width = image.shape[:2]
                pix_fmt = "yuv420p" if width % 2 == 0 and height % 2 == 0 else "yuv444p"
                stream = _encoder(dst, width, height, pix_fmt, reader.info.fps, PICTURE_OPTIONS)
                for n, index in enumerate(indices):
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    frame = av.VideoFrame.from_ndarray(reader.frame(index), format="rgb24")
                    frame.pts, frame.time_base = stamps[n], TIME_BASE
                    _encode(stream, dst, frame)
                    _report(progress, n, len(indices), "cutting the video")
                _encode(stream, dst, None)
            has_sound = reader.info.has_audio
        given = audio
        if given is None and has_sound:
            sound = _temp(out, "-sound").with_suffix(".wav")
            with open_audio(src, cancel=cancel) as whole:
                rate = whole.sample_rate
                a, b = round(start * rate), round(end * rate)
                transcode(whole, sound, OutputFormat("wav", "float"), start=a, stop=b)
            given = sound
        with _atomic(out) as tmp:
            if given is None:
                os.replace(picture, tmp)
            else:
                mux(picture, given, tmp, cancel=cancel)
    except av.error.FFmpegError as exc:
        raise AudioFileError(out, f"cutting the video failed ({exc})") from None
    finally:
        picture.unlink(missing_ok=True)
        if sound is not None:
            sound.unlink(missing_ok=True)
    if progress is not None:
        progress(1.0, f"wrote {out.name}")
    return Cut(out, start, end, len(indices))


def _frame_rate(reader: VideoReader) -> float:
    """Frames per second from the frames' own times (a container's stated rate can be off)."""
    steps = np.diff(reader.times)
    step = float(np.median(steps)) if steps.size else 0.0
    return 1.0 / step if step > 0 else reader.info.fps


def _held(last: float, end: float, fps: float) -> list[float]:
    """Times at which a picture that ends at `last` (before `end`) holds its last frame, one
    frame period apart, so that a cut always lasts to `end`, as its sound does."""
    period = 1.0 / fps if fps > 0 else 0.04
    count = max(math.ceil((end - last) / period - 1e-6) - 1, 0)
    return [last + k * period for k in range(1, count + 1)]


def _mask_frames(
    container: Any, stream: Any, origin: float, start: float, end: float
) -> Iterator[tuple[float, av.VideoFrame]]:
    """(timeline time, frame) for the frame shown at `start` and every later one before `end`
    (the last frame held to `end` when the mask ends earlier)."""
    pending: tuple[float, av.VideoFrame] | None = None  # the frame on screen at `start`
    last: tuple[float, av.VideoFrame] | None = None
    tb = stream.time_base
    for frame in container.decode(stream):
        if frame.pts is None:
            continue
        t = float(frame.pts * tb) - origin
        if t >= end:
            return
        if t <= start + 1e-9:
            pending = (t, frame)
            continue
        if pending is not None:
            yield pending
            pending = None
        last = (t, frame)
        yield last
    if pending is not None:  # nothing after it: it is shown from `start` on
        yield pending
        last = (start, pending[1])
    if last is not None:
        fps = float(stream.guessed_rate or stream.average_rate or 25)
        for t in _held(max(last[0], start), end, fps):
            yield t, last[1]


def _luma(frame: av.VideoFrame) -> av.VideoFrame:
    """A gray frame holding `frame`'s luma bytes as they are (no range or colour conversion)."""
    width, height = frame.width, frame.height
    plane = frame.planes[0]
    luma = np.frombuffer(plane, np.uint8).reshape(height, plane.line_size)[:, :width]
    out = av.VideoFrame(width, height, "gray")
    target = out.planes[0]
    np.frombuffer(target, np.uint8).reshape(height, target.line_size)[:, :width] = luma
    out.color_range = frame.color_range
    return out


def cut_mask(
    mask_path: str | os.PathLike[str],
    start: float,
    end: float,
    out_path: str | os.PathLike[str],
    *,
    origin_s: float = 0.0,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Cut:
    """The mask video over timeline [start, end), losslessly re-encoded (libx264 qp=0, gray).

    A mask video carries its source's frame timestamps; `origin_s` is where the source's
    timeline t = 0 lies on that clock (`source_origin` of the source video, 0 for most). The
    mask is its luma plane: each frame's luma bytes go into the cut exactly as decoded, with
    the same colour range, so black and white stay exactly what they were.
    """
    src, out = Path(mask_path), Path(out_path)
    _check_range(src, start, end, out)
    count = 0
    try:
        with av.open(str(src)) as container, _atomic(out) as tmp:
            stream = picture_stream(container)
            if stream is None:
                raise AudioFileError(src, "has no picture; a mask must be a video")
            stream.codec_context.thread_type = "AUTO"
            if start > 1.0 and stream.time_base is not None:  # from the keyframe before it
                target = round((origin_s + start - 1.0) / stream.time_base)
                container.seek(target, stream=stream, backward=True, any_frame=False)
            fps = float(stream.average_rate or stream.guessed_rate or 25)
            total = max(round((end - start) * fps), 1)
            with av.open(str(tmp), "w", format=_format_of(out)) as dst:
                encoder = None
                previous = -1
                for t, decoded in _mask_frames(container, stream, origin_s, start, end):
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    frame = _luma(decoded)
                    if encoder is None:
                        size = (frame.width, frame.height)
                        encoder = _encoder(dst, *size, "gray", fps, MASK_OPTIONS)
                        encoder.codec_context.color_range = frame.color_range
                    previous = max(round(max(t - start, 0.0) / TIME_BASE), previous + 1)
                    frame.pts, frame.time_base = previous, TIME_BASE
                    _encode(encoder, dst, frame)
                    count += 1
                    _report(progress, count, total, "cutting the mask")
                if encoder is None:
                    raise InputError(
                        f"{src}: the mask has no frames between {start:g} and {end:g} s"
                    )
                _encode(encoder, dst, None)
    except av.error.FFmpegError as exc:
        raise AudioFileError(src, f"cutting the mask failed ({exc})") from None
    if progress is not None:
        progress(1.0, f"wrote {out.name}")
    return Cut(out, start, end, count)


def _format_of(out: Path) -> str:
    return {".mp4": "mp4", ".mov": "mov", ".mkv": "matroska"}[out.suffix.lower()]


def source_origin(video_path: str | os.PathLike[str]) -> float:
    """`timeline_origin` of a video file (0 for a file without pictures)."""
    info = probe_video(video_path)
    return timeline_origin(info) if info is not None else 0.0
