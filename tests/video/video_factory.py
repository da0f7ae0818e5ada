"""Test videos made with PyAV: frames that say which frame they are, a moving box, broken files.

Shared by every video test. In tests/video it is imported by name (pytest puts the folder on
sys.path); elsewhere:

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "video"))
    from video_factory import make_video, read_frame_number

Sizes are (width, height). `size` is the size of the stored (coded) picture; with rotation 90
or 270 the displayed picture is height×width. Rotation follows VideoInfo.rotation: the clockwise
degrees the stored picture is turned for display (what a phone's "rotate=90" means).

The numbered pattern is drawn in DISPLAY orientation: a red square in the display's top-left
corner and a 4×4 grid of black/white cells holding the frame number (16 bits, row-major,
most significant first) on a grey ground. `read_frame_number(rgb)` reads it back from a
displayed (rotation applied) frame, and returns None when the picture is not upright.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

GRID = 4  # cells per side of the number grid
AUDIO_RATE = 48_000
_MS = Fraction(1, 1000)


@dataclass(frozen=True)
class MadeVideo:
    """What make_video wrote. `times` are each frame's pts in seconds, in display order, on the
    video stream's own clock; `audio_start` is where the audio's first sample was placed (the
    timeline's t = 0 is the first DECODED audio sample, which an AAC encoder puts up to one
    1024-sample frame earlier)."""

    path: Path
    size: tuple[int, int]  # stored (coded) width, height
    display_size: tuple[int, int]
    fps: float
    times: tuple[float, ...]
    rotation: int
    has_audio: bool
    audio_start: float
    gop: int

    @property
    def frame_count(self) -> int:
        return len(self.times)


MakeVideo = Callable[..., MadeVideo]  # the video_maker fixture: make(name, **make_video options)
Sound = Callable[[np.ndarray], np.ndarray]  # container times (s) -> mono samples


# -- the numbered pattern ------------------------------------------------------------------------
def _cells(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) of the GRID×GRID number cells: the middle 2/3 of the picture."""
    x0, y0 = width // 6, height // 6
    cw, ch = (width - 2 * x0) // GRID, (height - 2 * y0) // GRID
    return [
        (x0 + c * cw, y0 + r * ch, x0 + (c + 1) * cw, y0 + (r + 1) * ch)
        for r in range(GRID)
        for c in range(GRID)
    ]


def pattern_frame(index: int, width: int, height: int) -> np.ndarray:
    """H×W×3 uint8 RGB, display orientation: red top-left marker + frame number as cells."""
    img = np.full((height, width, 3), 128, np.uint8)
    mark = max(4, min(width, height) // 8)
    img[:mark, :mark] = (230, 20, 20)
    bits = GRID * GRID
    for k, (x0, y0, x1, y1) in enumerate(_cells(width, height)):
        on = (index >> (bits - 1 - k)) & 1
        img[y0:y1, x0:x1] = 235 if on else 16
    return img


def read_frame_number(rgb: np.ndarray) -> int | None:
    """The frame number drawn by pattern_frame, read from a displayed frame; None when the
    picture is not upright (no red marker top-left) or a cell is not clearly black or white."""
    height, width = rgb.shape[:2]
    mark = max(4, min(width, height) // 8)
    corner = rgb[1 : mark - 1, 1 : mark - 1].reshape(-1, 3).mean(axis=0)
    if not (corner[0] > 150 and corner[1] < 90 and corner[2] < 90):
        return None
    value = 0
    for x0, y0, x1, y1 in _cells(width, height):
        mx, my = max(1, (x1 - x0) // 4), max(1, (y1 - y0) // 4)
        level = float(rgb[y0 + my : y1 - my, x0 + mx : x1 - mx].mean())
        if 70 < level < 180:
            return None
        value = (value << 1) | int(level >= 128)
    return value


# -- writing -------------------------------------------------------------------------------------
def _vfr_times(count: int, fps: float, start: float) -> list[float]:
    """Frame times in whole ms with durations cycling 1, 2, 1, 3 × (1/fps)."""
    steps = (1, 2, 1, 3)
    times, t = [], 0.0
    for i in range(count):
        times.append(round((start + t) * 1000) / 1000)
        t += steps[i % len(steps)] / fps
    return times


def _add_audio(container: av.container.OutputContainer) -> av.AudioStream:
    name = container.format.name
    codec = "libopus" if name.startswith("webm") else "aac"
    stream = container.add_stream(codec, rate=AUDIO_RATE)
    stream.layout = "stereo"
    return stream


def _write_audio(
    container: av.container.OutputContainer,
    stream: av.AudioStream,
    seconds: float,
    start: float,
    sound: Sound | None = None,
) -> None:
    first = round(start * AUDIO_RATE)
    total = round(seconds * AUDIO_RATE)
    block = 1024
    for done in range(0, total, block):
        n = min(block, total - done)
        t = (done + np.arange(n)) / AUDIO_RATE
        wave = sound(start + t) if sound is not None else 0.3 * np.sin(2 * np.pi * 440 * t)
        tone = np.asarray(wave, np.float32)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(np.stack([tone, tone])), format="fltp", layout="stereo"
        )
        frame.sample_rate = AUDIO_RATE
        frame.pts = first + done
        frame.time_base = Fraction(1, AUDIO_RATE)
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


def make_video(
    path: str | os.PathLike[str],
    *,
    size: tuple[int, int] = (160, 120),
    fps: float = 25.0,
    seconds: float = 1.0,
    frames: int | None = None,
    gop: int | None = None,
    audio: bool = True,
    audio_seconds: float | None = None,
    rotation: int = 0,
    vfr: bool = False,
    codec: str = "libx264",
    pattern: Callable[[int, int, int], np.ndarray] | None = None,
    video_start: float = 0.0,
    audio_start: float = 0.0,
    bframes: bool = True,
    preset: str = "ultrafast",
    crf: int = 18,
    pix_fmt: str | None = None,
    sound: Sound | None = None,
) -> MadeVideo:
    """Write a test video (container from the suffix: .mp4 .mov .mkv .webm).

    `frames` overrides `seconds`; `gop` is the keyframe interval in frames (default: one
    second). `pattern(index, display_w, display_h)` draws a frame in display orientation
    (default pattern_frame). `video_start`/`audio_start` offset each stream's first pts.
    Frame times are in whole milliseconds (time base 1/1000), so any `fps` works. Odd sizes
    are stored as yuv444p (libx264 refuses odd 4:2:0) unless `pix_fmt` says otherwise.
    `sound(t)` gives the (mono, both channels) audio at container times t; default a 440 Hz
    tone starting at `audio_start`.
    """
    path = Path(path)
    width, height = size
    rotation %= 360
    if rotation not in (0, 90, 180, 270):
        raise ValueError(f"rotation must be a multiple of 90, not {rotation}")
    display = (height, width) if rotation in (90, 270) else (width, height)
    count = frames if frames is not None else max(1, round(seconds * fps))
    gop = gop or max(1, round(fps))
    draw = pattern or pattern_frame
    if vfr:
        times = _vfr_times(count, fps, video_start)
    else:
        times = [round((video_start + i / fps) * 1000) / 1000 for i in range(count)]
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=round(fps))
        stream.width, stream.height = width, height
        odd = width % 2 or height % 2
        stream.pix_fmt = pix_fmt or ("yuv444p" if odd and codec == "libx264" else "yuv420p")
        stream.codec_context.time_base = _MS
        stream.time_base = _MS
        stream.codec_context.gop_size = gop
        if codec == "libx264":
            stream.options = {
                "preset": preset,
                "crf": str(crf),
                "keyint_min": str(gop),
                "sc_threshold": "0",
                "bf": "2" if bframes else "0",
            }
        if rotation:
            ccw = -rotation if rotation != 270 else 90
            stream.set_display_rotation(ccw)
        sound_stream = _add_audio(container) if audio else None
        for i, t in enumerate(times):
            shown = draw(i, display[0], display[1])
            stored = np.ascontiguousarray(np.rot90(shown, k=rotation // 90))
            frame = av.VideoFrame.from_ndarray(stored, format="rgb24")
            frame.pts = round(t * 1000)
            frame.time_base = _MS
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if sound_stream is not None:
            span = audio_seconds if audio_seconds is not None else times[-1] + 1 / fps
            _write_audio(container, sound_stream, span, audio_start, sound)
    return MadeVideo(
        path, (width, height), display, fps, tuple(times), rotation, audio, audio_start, gop
    )


# -- a moving box for the tracker ----------------------------------------------------------------
Box = tuple[int, int, int, int]


def _texture(width: int, height: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(40, 216, (height // 8 + 1, width // 8 + 1, 3), dtype=np.uint8)
    return np.ascontiguousarray(np.repeat(np.repeat(small, 8, 0), 8, 1)[:height, :width])


def linear_path(
    frames: int, size: tuple[int, int], box_size: tuple[int, int]
) -> Callable[[int], tuple[float, float]]:
    """Top-left (x, y) moving steadily from the upper left to the lower right quarter."""
    width, height = size
    bw, bh = box_size
    x0, y0 = width * 0.1, height * 0.1
    x1, y1 = width * 0.9 - bw, height * 0.9 - bh
    span = max(1, frames - 1)
    return lambda i: (x0 + (x1 - x0) * i / span, y0 + (y1 - y0) * i / span)


def make_moving_box_video(
    path: str | os.PathLike[str],
    size: tuple[int, int] = (320, 240),
    frames: int = 50,
    box_size: tuple[int, int] = (48, 40),
    path_fn: Callable[[int], tuple[float, float]] | None = None,
    *,
    fps: float = 25.0,
    audio: bool = True,
    seed: int = 7,
) -> list[Box]:
    """A textured box moving over a still textured ground; returns the true (x, y, w, h) of
    the box on every frame (integers; the box is drawn at those exact pixels)."""
    width, height = size
    bw, bh = box_size
    where = path_fn or linear_path(frames, size, box_size)
    ground = _texture(width, height, seed)
    rng = np.random.default_rng(seed + 1)
    checker = (np.indices((bh, bw)).sum(axis=0) // 6) % 2
    box_img = np.where(checker[..., None] == 1, (250, 210, 30), (30, 60, 220)).astype(np.uint8)
    box_img[bh // 3 : 2 * bh // 3, bw // 3 : 2 * bw // 3] = rng.integers(0, 255, 3)
    boxes: list[Box] = []
    for i in range(frames):
        x, y = where(i)
        xi = int(min(max(x, 0), width - bw) + 0.5)
        yi = int(min(max(y, 0), height - bh) + 0.5)
        boxes.append((xi, yi, bw, bh))

    def draw(index: int, w: int, h: int) -> np.ndarray:
        img = ground.copy()
        bx, by, _, _ = boxes[index]
        img[by : by + bh, bx : bx + bw] = box_img
        return img

    make_video(path, size=size, fps=fps, frames=frames, audio=audio, pattern=draw, crf=12)
    return boxes


# -- broken files --------------------------------------------------------------------------------
def video_packet_spans(path: str | os.PathLike[str]) -> list[tuple[int, int]]:
    """(file offset, size) of every video packet, from demuxing."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [(p.pos, p.size) for p in container.demux(stream) if p.size and p.pos >= 0]


def make_corrupt_video(
    path: str | os.PathLike[str], *, size: tuple[int, int] = (160, 120), seconds: float = 1.0
) -> MadeVideo:
    """A file whose audio is fine but whose every video packet is overwritten with noise: the
    container opens, the picture cannot be decoded."""
    made = make_video(path, size=size, seconds=seconds, audio=True)
    rng = np.random.default_rng(3)
    spans = video_packet_spans(path)
    with open(path, "r+b") as f:
        for pos, n in spans:
            f.seek(pos)
            f.write(rng.integers(0, 256, n, dtype=np.uint8).tobytes())
    return made


def make_audio_only(path: str | os.PathLike[str], seconds: float = 1.0) -> Path:
    """An .m4a/.mka/.wav-like file with sound and no picture."""
    with av.open(str(path), "w") as container:
        _write_audio(container, _add_audio(container), seconds, 0.0)
    return Path(path)


def frame_numbers(frames: Sequence[np.ndarray]) -> list[int | None]:
    return [read_frame_number(f) for f in frames]
