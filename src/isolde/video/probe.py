"""What a video file's picture is: size, frame rate, length (PyAV; no frames decoded)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import av

from isolde.core.errors import AudioFileError


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: float
    frames: int  # as the container states it; 0 when it does not say
    duration: float
    codec: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def probe_video(path: str | Path) -> VideoInfo | None:
    """The first video stream's facts, or None for a file without pictures."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                return None
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or 0
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / av.time_base
            else:
                duration = 0.0
            return VideoInfo(
                width=stream.codec_context.width,
                height=stream.codec_context.height,
                fps=float(rate),
                frames=int(stream.frames or 0),
                duration=duration,
                codec=stream.codec_context.name,
            )
    except (av.FFmpegError, OSError) as exc:
        raise AudioFileError(path, f"cannot read the video ({exc})") from exc
