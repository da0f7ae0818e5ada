"""The project's record of a media file: where it is, what it is, and its content hash."""

from __future__ import annotations

from pathlib import Path

from isolde.audio import content_hash, probe
from isolde.core.media import MediaRef


def describe_media(path: str | Path) -> MediaRef:
    info = probe(path)
    return MediaRef(
        path=str(Path(path).resolve()),
        content_hash=content_hash(path),
        sample_rate=info.sample_rate,
        channels=info.channels,
        frames=info.frames,
        format=info.format,
        has_video=info.has_video,
    )
