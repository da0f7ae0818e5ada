"""Checks made before any decoder sees a file, so the user gets the real reason it failed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from isolde.core.errors import AudioFileError

READABLE_FORMATS = (
    "WAV, FLAC, OGG Vorbis, Opus, MP3, AIFF, M4A/AAC and the audio of MP4, MOV, MKV and WEBM videos"
)
NOT_MEDIA = "not an audio or video file Isolde can read"
MIN_RATE, MAX_RATE = 1_000, 768_000  # sample rates Isolde processes (Hz)
MEDIA_EXTENSIONS = frozenset(
    {
        ".wav",
        ".wave",
        ".rf64",
        ".bwf",
        ".flac",
        ".ogg",
        ".oga",
        ".opus",
        ".mp3",
        ".aif",
        ".aiff",
        ".aifc",
        ".m4a",
        ".aac",
        ".mp4",
        ".m4v",
        ".mov",
        ".mkv",
        ".mka",
        ".webm",
        ".caf",
        ".w64",
    }
)

# Leading bytes of common files people pick by mistake. FFmpeg would happily "open" some of
# them (text as an ANSI-art video, images as one-frame videos), giving a misleading reason.
_MAGICS: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "a PNG image"),
    (b"\xff\xd8\xff", 0, "a JPEG image"),
    (b"GIF8", 0, "a GIF image"),
    (b"WEBP", 8, "a WebP image"),
    (b"II*\x00", 0, "a TIFF image"),
    (b"MM\x00*", 0, "a TIFF image"),
    (b"%PDF", 0, "a PDF document"),
    (b"PK\x03\x04", 0, "a ZIP archive or office document"),
    (b"\x1f\x8b", 0, "a gzip archive"),
    (b"\x7fELF", 0, "a program"),
)


def check_readable(path: str | os.PathLike[str]) -> int:
    """The file's size; raises AudioFileError when it is missing, a folder, unreadable or empty."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise AudioFileError(
            p, "no such file — check the path, or find where the file was moved"
        ) from None
    except PermissionError:
        raise AudioFileError(
            p,
            "permission denied — Isolde cannot see this file; check the permissions of its folder",
        ) from None
    except OSError as exc:
        raise AudioFileError(p, f"cannot read the file: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(st.st_mode):
        raise AudioFileError(p, "is a folder, not a file — choose an audio or video file")
    if not stat.S_ISREG(st.st_mode):
        raise AudioFileError(
            p, "is not a regular file (a device or pipe?) — choose an audio or video file"
        )
    try:
        with open(p, "rb"):
            pass
    except PermissionError:
        raise AudioFileError(
            p, "permission denied — Isolde cannot read this file; check its permissions"
        ) from None
    except OSError as exc:
        raise AudioFileError(p, f"cannot read the file: {exc.strerror or exc}") from exc
    if st.st_size == 0:
        raise AudioFileError(
            p,
            "the file is empty (0 bytes) — it may still be downloading or "
            "copying, or the program that made it failed",
        )
    return st.st_size


def sniff_non_media(head: bytes) -> str | None:
    """A description like "a PNG image" when the leading bytes show a known non-media file."""
    for magic, offset, kind in _MAGICS:
        if head[offset : offset + len(magic)] == magic:
            return kind
    if _looks_like_text(head):
        return "a text file"
    return None


def not_media_error(path: str | os.PathLike[str], detail: str) -> AudioFileError:
    return AudioFileError(path, f"{NOT_MEDIA} ({detail}); it reads {READABLE_FORMATS}")


def no_audio_error(path: str | os.PathLike[str]) -> AudioFileError:
    return AudioFileError(
        path,
        "contains no audio (0 samples) — the recording or export may "
        "have failed; try exporting it again",
    )


def unreadable_error(path: str | os.PathLike[str], detail: str) -> AudioFileError:
    """The error for a file no decoder accepts, worded by what its name promises."""
    if Path(path).suffix.lower() in MEDIA_EXTENSIONS:
        return AudioFileError(
            path,
            f"could not be read ({detail}); the file looks damaged or "
            f"truncated, or uses an unsupported codec — re-export or "
            f"copy it again",
        )
    return not_media_error(path, "its format was not recognised")


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for cut in range(4):  # the sample may end inside a multi-byte character
        try:
            head[: len(head) - cut].decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False


def check_rate(path: str | os.PathLike[str], sample_rate: int) -> None:
    """AudioFileError for a sample rate no recording has (a damaged or hand-made header): work
    on it would take without bound (a 1 Hz header makes seconds of samples last days)."""
    if not MIN_RATE <= sample_rate <= MAX_RATE:
        raise AudioFileError(
            path,
            f"the header says {sample_rate} Hz, outside the {MIN_RATE}–{MAX_RATE} Hz Isolde "
            "works with; the file is damaged or mislabelled — re-export it at a usual rate "
            "(e.g. 48000 Hz)",
        )
