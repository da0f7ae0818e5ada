"""The mask video a visual request sends: exactly black and white, frame for frame the source.

`render_mask_video` draws the chosen objects' mask on every frame (`MaskTimeline.combined`) in a
provider's polarity and encodes it as H.264, lossless:

- libx264 with `qp=0` on `gray` pixels (4:0:0, full range): a decoder gives back exactly the
  0/255 values written, so decode → threshold is the model's mask with no grey pixel. (Plain
  mpeg4, or any lossy setting, smears edges into greys.) `gray` needs no chroma subsampling, so
  odd widths and heights are encoded as they are: nothing is padded. FFmpeg decodes 4:0:0 H.264
  as yuv420p/yuvj420p with neutral chroma, which any player or model converts to the same 0/255.
- The source's display size (rotation applied), its frames' own timestamps in its own time base
  (variable frame rate kept) and its average rate as the nominal rate. A part (`start_frame` >
  0) starts at time 0, to line up with a cut of the video made from that frame.
- Streamed: masks are drawn on `DRAWERS` helper threads at most `AHEAD` frames ahead of the
  encoder (drawing and encoding overlap; OpenCV, numpy and x264 release the GIL), so only a
  handful of frames are ever in memory; the source's frames are decoded (in order, on the
  calling thread) only when an object needs them (GrabCut refinement of tracked frames).
- Written atomically: to a hidden temporary file in the output's folder, renamed over the
  output when complete; a cancel (`Cancelled`), Ctrl-C or an error leaves no file behind.

`read_mask_video` decodes a mask video back to bool masks (for tests and the cloud assist).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error
import numpy as np

from isolde.core.errors import AudioFileError, Cancelled, InputError
from isolde.core.masks import MaskObject
from isolde.core.progress import CancelToken, ProgressFn, no_progress
from isolde.video.mask_timeline import MaskTimeline
from isolde.video.polarity import MaskPolarity, to_pixels
from isolde.video.probe import picture_stream

CONTAINERS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska"}
# qp=0 is lossless; CABAC (off in "ultrafast") makes flat masks ~15× smaller and encodes faster.
X264_OPTIONS = {"qp": "0", "preset": "ultrafast", "x264-params": "cabac=1:bframes=0"}
PIX_FMT = "gray"
JPEG_RANGE = 2  # AVCOL_RANGE_JPEG: full range, 0 and 255 are black and white
AHEAD = 6  # masks drawn ahead of the encoder …
DRAWERS = max(1, min(4, os.cpu_count() or 1))  # … on this many threads
Drawn = tuple[int, av.VideoFrame]  # (pts, picture)


@dataclass(frozen=True)
class MaskVideo:
    """What `render_mask_video` wrote."""

    path: Path
    frames: int
    width: int
    height: int
    fps: float
    polarity: MaskPolarity
    invert: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "output": str(self.path),
            "frames": self.frames,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "polarity": self.polarity.value,
            "invert": self.invert,
        }


def render_mask_video(
    video_path: str | Path,
    objects: Sequence[MaskObject],
    out_path: str | Path,
    *,
    polarity: MaskPolarity = MaskPolarity.BLACK_IS_TARGET,
    invert: bool = False,
    start_frame: int = 0,
    end_frame: int | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> MaskVideo:
    """Render the mask of `objects` (those with `send` on) for frames [start_frame, end_frame)
    of `video_path` (end_frame None: to the end) into `out_path` (.mp4, .m4v, .mov or .mkv)."""
    from isolde.video.frames import VideoReader

    out = Path(out_path)
    fmt = check_output(video_path, out)
    sent = [o for o in objects if o.send]
    if not sent:
        raise InputError("no masked object is chosen to send: tick one (or name one) first")
    with VideoReader(video_path) as reader:
        count = reader.frame_count
        end = count if end_frame is None else min(end_frame, count)
        if not 0 <= start_frame < end:
            raise InputError(
                f"frames {start_frame}–{end} are not a stretch of this video (frames 0–{count - 1})"
            )
        first = reader.frame(start_frame)
        height, width = first.shape[:2]
        base = _time_base(video_path)
        stamps = [round((t + reader.info.audio_start) / base) for t in reader.times]
        origin = stamps[start_frame] if start_frame > 0 else min(stamps[0], 0)
        needs_picture = any(o.refine and o.track for o in sent)
        timeline = MaskTimeline(width, height)
        fps = reader.info.fps or (count / max(reader.times[-1] - reader.times[0], 1e-3))
        frames = range(start_frame, end)

        def draw(index: int, image: np.ndarray | None) -> tuple[int, av.VideoFrame]:
            mask = timeline.combined(sent, index, image)
            return stamps[index] - origin, _mask_frame(mask, polarity, invert, base)

        def pictures() -> Iterator[tuple[int, np.ndarray | None]]:
            for index in frames:  # read in order, on this thread: the reader is not shared
                yield index, reader.frame(index) if needs_picture else None

        with _atomic(out) as tmp, contextlib.closing(_in_order(draw, pictures(), cancel)) as drawn:
            _encode(tmp, fmt, width, height, fps, base, drawn, len(frames), progress, cancel)
    return MaskVideo(out, len(frames), width, height, float(fps), polarity, invert)


def _in_order(
    draw: Callable[[int, np.ndarray | None], Drawn],
    items: Iterator[tuple[int, np.ndarray | None]],
    cancel: CancelToken | None,
) -> Iterator[Drawn]:
    """`draw` on each item, on DRAWERS threads at most AHEAD items ahead, yielded in order.
    Closing the iterator (done, cancelled, failed) drops what is queued and waits for the
    drawings under way."""
    pool = ThreadPoolExecutor(max_workers=DRAWERS, thread_name_prefix="isolde-mask")
    pending: deque[Future[Drawn]] = deque()
    try:
        for index, image in items:
            _check(cancel)
            pending.append(pool.submit(draw, index, image))
            if len(pending) > AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _mask_frame(
    mask: np.ndarray, polarity: MaskPolarity, invert: bool, base: Fraction
) -> av.VideoFrame:
    height, width = mask.shape
    frame = av.VideoFrame(width, height, PIX_FMT)
    plane = frame.planes[0]
    pixels = np.frombuffer(plane, np.uint8).reshape(height, plane.line_size)[:, :width]
    to_pixels(mask, polarity, invert, out=pixels)
    frame.color_range = JPEG_RANGE
    frame.time_base = base
    return frame


def _encode(
    path: Path,
    fmt: str,
    width: int,
    height: int,
    fps: float,
    base: Fraction,
    frames: Iterator[tuple[int, av.VideoFrame]],
    total: int,
    progress: ProgressFn,
    cancel: CancelToken | None,
) -> None:
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(100_000))
        stream.width, stream.height, stream.pix_fmt = width, height, PIX_FMT
        stream.codec_context.time_base = base
        stream.time_base = base
        stream.codec_context.color_range = JPEG_RANGE
        stream.options = dict(X264_OPTIONS)
        step = max(1, total // 100)
        progress(0.0, "rendering the mask video")
        last = -1
        for done, (pts, frame) in enumerate(frames, 1):
            _check(cancel)
            frame.pts = max(pts, last + 1)  # two frames on one tick of the time base: in order
            last = frame.pts
            for packet in stream.encode(frame):
                container.mux(packet)
            if done % step == 0 or done == total:
                progress(done / total, f"rendering the mask video: frame {done} of {total}")
        for packet in stream.encode(None):
            container.mux(packet)


def _time_base(video_path: str | Path) -> Fraction:
    """The source picture stream's time base, so the mask's timestamps are its very numbers."""
    with av.open(str(video_path)) as container:
        stream = picture_stream(container)
        base = stream.time_base if stream is not None else None
    return Fraction(base) if base else Fraction(1, 90_000)


def check_output(video_path: str | Path, out_path: str | Path) -> str:
    """The container format for `out_path`; InputError when it cannot be a mask video of
    `video_path` (unknown suffix, missing folder, or the input itself)."""
    source, out = Path(video_path), Path(out_path)
    fmt = CONTAINERS.get(out.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{out}: a mask video is written as {', '.join(CONTAINERS)}; "
            "name the output with one of these"
        )
    if not out.parent.is_dir():
        raise InputError(f"{out}: the folder {out.parent} does not exist; create it first")
    same = out.resolve() == source.resolve()
    with contextlib.suppress(OSError):
        same = same or (out.exists() and os.path.samefile(out, source))
    if same:
        raise InputError(f"{out}: that is the input video; choose another name for the mask")
    return fmt


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None and cancel.cancelled:
        raise Cancelled()


@contextlib.contextmanager
def _atomic(out: Path) -> Iterator[Path]:
    """A temporary path next to `out`, renamed over it when the block succeeds, else removed."""
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def read_mask_video(
    path: str | Path,
    polarity: MaskPolarity = MaskPolarity.BLACK_IS_TARGET,
    invert: bool = False,
) -> Iterator[np.ndarray]:
    """Each frame of a mask video as a bool H×W mask, True where the target is (read in
    `polarity`, flipped with `invert`); pixels are split at mid-grey."""
    try:
        with av.open(str(path)) as container:
            stream = picture_stream(container)
            if stream is None:
                raise AudioFileError(path, "has no picture; it is not a mask video")
            for frame in container.decode(stream):
                bright = frame.to_ndarray(format="gray") >= 128
                target = ~bright if polarity is MaskPolarity.BLACK_IS_TARGET else bright
                yield ~target if invert else target
    except av.error.FFmpegError as exc:
        raise AudioFileError(path, f"cannot read the mask video ({exc})") from None
