"""What a media file holds, as far as audio is concerned."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class AudioInfo:
    """Header facts about one file's audio; `frames` counts sample frames per channel."""

    path: str
    sample_rate: int
    channels: int
    frames: int
    format: str  # container: "WAV", "FLAC", "MP3", "OGG", "AIFF", "MP4", "MATROSKA", "WEBM", ...
    subtype: str  # sample encoding or codec: "PCM_16", "FLOAT", "VORBIS", "aac", ...
    has_video: bool = False
    # False when `frames` is the container's estimate (no declared stream length, e.g. MKV):
    # only decoding counts them, as open_audio does.
    frames_exact: bool = True

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "duration": self.duration}
