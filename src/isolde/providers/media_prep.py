"""Getting local media ready to send: the file as it is when the engine reads it, else FLAC.

Sending the source as is avoids a transcode and any loss. A transcode happens when the engine
cannot read the container (AIFF, a video's audio for an audio-only request) or the file is an
uncompressed WAV big enough that lossless FLAC (about half the size) saves real upload time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from isolde.audio import OutputFormat, open_audio, probe, transcode
from isolde.core.errors import AudioFileError
from isolde.core.progress import CancelToken

CONTENT_TYPES = {
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".opus": "audio/opus",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
}
AUDIO_SENT_AS_IS = frozenset({".wav", ".flac", ".mp3", ".ogg", ".m4a"})
VIDEO_SENT_AS_IS = frozenset({".mp4", ".mov", ".webm", ".mkv"})
WAV_AS_IS_MAX_BYTES = 32 * 1024 * 1024  # bigger WAVs go as FLAC
FLAC_MAX_CHANNELS = 8


@dataclass(frozen=True)
class UploadFile:
    path: Path
    content_type: str
    size: int
    transcoded: bool = False

    @property
    def name(self) -> str:
        return self.path.name


def as_is(path: Path) -> UploadFile:
    return UploadFile(
        path,
        CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream"),
        path.stat().st_size,
    )


def prepare_audio(
    media_path: str | Path,
    work_dir: Path,
    *,
    accepted: frozenset[str] = AUDIO_SENT_AS_IS,
    cancel: CancelToken | None = None,
) -> UploadFile:
    """The audio to send for `media_path`: the file itself, or a 24-bit FLAC in `work_dir`."""
    path = Path(media_path)
    ext = path.suffix.lower()
    info = probe(path)
    big_wav = ext == ".wav" and path.stat().st_size > WAV_AS_IS_MAX_BYTES
    if ext in accepted and not info.has_video and not big_wav:
        return as_is(path)
    if info.channels > FLAC_MAX_CHANNELS:
        if ext == ".wav":
            return as_is(path)
        raise AudioFileError(
            path, f"{info.channels} channels cannot be sent; mix it down to stereo first"
        )
    out = work_dir / f"{path.stem}.upload.flac"
    with open_audio(path, cancel=cancel) as source:
        transcode(source, out, OutputFormat("flac", "24"), cancel=cancel)
    return UploadFile(out, "audio/flac", out.stat().st_size, transcoded=True)


def prepare_video(path: str | Path) -> UploadFile:
    """Videos go as they are (the engine needs the pictures); other containers are refused."""
    p = Path(path)
    if not p.is_file():
        raise AudioFileError(p, "no such file")
    if p.suffix.lower() not in VIDEO_SENT_AS_IS:
        kinds = ", ".join(sorted(VIDEO_SENT_AS_IS))
        raise AudioFileError(p, f"send the video as one of {kinds}")
    return as_is(p)
