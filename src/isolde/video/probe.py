"""What a video file's picture is: size, orientation, frame rate, length, where it starts (PyAV).

Only the first picture (for its rotation) and the first sound frame (for where the timeline
begins) are decoded. Exact per-frame times come from VideoReader's packet index.

Times: `start_time` is the picture's first timestamp on the container's clock; `audio_start`
is the first DECODED audio sample's time on the same clock (isolde.audio decodes a video's
sound from that sample on, so it is the timeline's t = 0). A frame shown at container time p
is at timeline time p - audio_start.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import av
import av.error

from isolde.core.errors import AudioFileError

_VFR_TOLERANCE = 0.01  # relative difference between the average and the base frame rate
_MAX_PROBE_PACKETS = 2000  # give up looking for a first picture / sound frame after these


TEXT_CODECS = frozenset({"ansi", "tty"})  # text shown as pictures, never a video


@dataclass(frozen=True)
class VideoInfo:
    width: int  # stored (coded) size
    height: int
    fps: float  # average frame rate
    frames: int  # as the container states it; 0 when it does not say
    duration: float
    codec: str
    rotation: int = 0  # clockwise degrees the stored picture is turned for display: 0/90/180/270
    display_width: int = 0  # size as shown, rotation applied
    display_height: int = 0
    start_time: float = 0.0  # first picture timestamp, container clock (seconds)
    audio_start: float = 0.0  # first decoded audio sample, container clock; 0 without audio
    has_audio: bool = False
    vfr: bool = False  # the container's rates disagree (VideoReader.times are exact either way)

    @property
    def offset(self) -> float:
        """Timeline time of the picture's first timestamp (negative: it starts before the sound)."""
        return self.start_time - self.audio_start

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def probe_video(path: str | Path) -> VideoInfo | None:
    """The first video stream's facts, or None for a file without pictures."""
    try:
        with av.open(str(path)) as container:
            stream = picture_stream(container)
            if stream is None:
                return None
            return describe(container, stream)
    except (av.error.FFmpegError, OSError) as exc:
        raise AudioFileError(path, f"cannot read the video ({_reason(exc)})") from exc


def picture_stream(container: av.container.InputContainer) -> av.VideoStream | None:
    """The first real video stream: cover art (an "attached picture") does not count, nor does
    the "ANSI art" FFmpeg makes of any text file."""
    for stream in container.streams.video:
        if stream.disposition & av.stream.Disposition.attached_pic:
            continue
        if stream.codec_context.name in TEXT_CODECS:
            continue
        return stream
    return None


def describe(container: av.container.InputContainer, stream: av.VideoStream) -> VideoInfo:
    """VideoInfo from a freshly opened container (it demuxes from where the container is)."""
    avg = stream.average_rate or stream.guessed_rate or 0
    base = stream.guessed_rate or stream.base_rate or avg
    vfr = bool(avg and base and abs(float(base) / float(avg) - 1) > _VFR_TOLERANCE)
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / av.time_base
    else:
        duration = 0.0
    start = 0.0
    if stream.start_time is not None and stream.time_base is not None:
        start = float(stream.start_time * stream.time_base)
    width, height = stream.codec_context.width, stream.codec_context.height
    rotation, audio_start = _first_frames(container, stream)
    turned = rotation in (90, 270)
    return VideoInfo(
        width=width,
        height=height,
        fps=float(avg),
        frames=int(stream.frames or 0),
        duration=duration,
        codec=stream.codec_context.name,
        rotation=rotation,
        display_width=height if turned else width,
        display_height=width if turned else height,
        start_time=start,
        audio_start=audio_start,
        has_audio=bool(container.streams.audio),
        vfr=vfr,
    )


def _first_frames(
    container: av.container.InputContainer, video: av.VideoStream
) -> tuple[int, float]:
    """(clockwise rotation, first audio sample time) from one pass over the first packets:
    the rotation from the first decoded picture's display matrix (else a legacy "rotate" tag,
    else 0), the audio time from the first decoded sound frame (0.0 without sound)."""
    audio = container.streams.audio[0] if container.streams.audio else None
    rotation: int | None = None
    audio_start: float | None = None if audio is not None else 0.0
    picture_ok = True
    streams = [s for s in (video, audio) if s is not None]
    for count, packet in enumerate(container.demux(streams)):
        if count > _MAX_PROBE_PACKETS:
            break
        want_picture = packet.stream is video and rotation is None and picture_ok
        if not (want_picture or (packet.stream is audio and audio_start is None)):
            continue
        try:
            frames = packet.decode()
        except av.error.FFmpegError:
            picture_ok = picture_ok and packet.stream is not video
            frames = []
        if frames and packet.stream is video:
            rotation = clockwise(frames[0].rotation)
        elif frames and frames[0].pts is not None and frames[0].time_base is not None:
            audio_start = float(frames[0].pts * frames[0].time_base)
        if (rotation is not None or not picture_ok) and audio_start is not None:
            break
    if audio_start is None:
        assert audio is not None
        audio_start = _stream_start(audio)
    return (rotation if rotation is not None else _rotate_tag(video)), audio_start


def _stream_start(stream: av.stream.Stream) -> float:
    if stream.start_time is not None and stream.time_base is not None:
        return float(stream.start_time * stream.time_base)
    return 0.0


def _rotate_tag(stream: av.VideoStream) -> int:
    try:
        return round(float(stream.metadata.get("rotate", "0")) / 90) * 90 % 360
    except ValueError:
        return 0


def clockwise(ccw_degrees: float) -> int:
    """FFmpeg's counter-clockwise display-matrix angle as clockwise 0/90/180/270."""
    return round(-float(ccw_degrees) / 90) * 90 % 360


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc).strip() or type(exc).__name__
