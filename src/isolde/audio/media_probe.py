"""Works out what a file is and which decoder reads it, from headers only."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import av
import av.error
import soundfile as sf

from isolde.audio.decoders import declared_frames
from isolde.audio.file_checks import (
    check_readable,
    no_audio_error,
    not_media_error,
    sniff_non_media,
    unreadable_error,
)
from isolde.audio.info import AudioInfo
from isolde.audio.wav_header import WavLayout, read_wav_layout
from isolde.core.errors import AudioFileError

Decoder = Literal["wav", "soundfile", "pyav"]
_SNIFF_BYTES = 4096


@dataclass(frozen=True)
class ProbedFile:
    """A readable media file: its audio facts, its decoder and its identity on disk."""

    info: AudioInfo
    decoder: Decoder
    size: int
    mtime_ns: int
    wav: WavLayout | None = None


def identify(path: str | os.PathLike[str]) -> ProbedFile:
    """Probe `path` cheaply; raises AudioFileError with the reason it cannot be read."""
    name = os.fspath(path)
    size = check_readable(name)
    mtime_ns = os.stat(name).st_mtime_ns
    try:
        with open(name, "rb") as f:
            head = f.read(_SNIFF_BYTES)
            wav = read_wav_layout(name, f, size)
    except OSError as exc:
        raise AudioFileError(name, f"cannot read the file: {exc.strerror or exc}") from exc
    if wav is not None:
        info = AudioInfo(
            name, wav.sample_rate, wav.channels, wav.frames, wav.container, wav.subtype
        )
        _require_samples(info)
        return ProbedFile(info, "wav", size, mtime_ns, wav)
    kind = sniff_non_media(head)
    if kind is not None:
        raise not_media_error(name, f"it looks like {kind}")
    try:
        sfi = sf.info(name)
    except (sf.SoundFileError, RuntimeError):
        info = _probe_pyav(name)
        return ProbedFile(info, "pyav", size, mtime_ns)
    info = AudioInfo(
        name,
        int(sfi.samplerate),
        int(sfi.channels),
        int(sfi.frames),
        str(sfi.format),
        str(sfi.subtype),
    )
    _require_samples(info)
    return ProbedFile(info, "soundfile", size, mtime_ns)


def _require_samples(info: AudioInfo) -> None:
    if info.sample_rate <= 0 or info.channels <= 0:
        raise AudioFileError(
            info.path,
            f"the header claims {info.channels} channels at "
            f"{info.sample_rate} Hz; the file is damaged",
        )
    if info.frames <= 0:
        raise no_audio_error(info.path)


def _probe_pyav(name: str) -> AudioInfo:
    try:
        container = av.open(name)
    except av.error.FFmpegError as exc:
        raise unreadable_error(name, _ffmpeg_reason(exc)) from None
    with container:
        videos = [
            s
            for s in container.streams.video
            if not s.disposition & av.stream.Disposition.attached_pic
        ]
        fmt = container.format.name
        if not container.streams.audio:
            if videos and ("pipe" in fmt or "image" in fmt):
                raise not_media_error(name, "it looks like an image")
            if videos:
                raise AudioFileError(
                    name,
                    "has no audio track — it is a video without sound; "
                    "choose a file that contains the recording",
                )
            raise unreadable_error(name, f"no audio stream in this {fmt} file")
        stream = container.streams.audio[0]
        rate = int(stream.rate or stream.codec_context.sample_rate or 0)
        channels = int(stream.codec_context.channels or 0)
        if rate <= 0 or channels <= 0:
            raise unreadable_error(
                name, f"the audio stream reports {channels} channels at {rate} Hz"
            )
        # The stream's declared length is what decoding gives too (decoders.py trims the
        # padding to it); without one, the container's is an estimate and open_audio counts.
        declared = declared_frames(stream, rate)
        return AudioInfo(
            name,
            rate,
            channels,
            declared if declared is not None else _estimate_frames(container, rate),
            container_label(fmt, name),
            stream.codec_context.name,
            has_video=bool(videos),
            frames_exact=declared is not None,
        )


def _estimate_frames(container: av.container.InputContainer, rate: int) -> int:
    if container.duration is not None:
        return max(round(container.duration / av.time_base * rate), 0)
    return 0


def container_label(ffmpeg_format: str, name: str) -> str:
    """FFmpeg's demuxer name ("mov,mp4,m4a,...") as the one word users know."""
    ext = Path(name).suffix.lower()
    if ffmpeg_format.startswith("mov,"):
        return "MOV" if ext == ".mov" else "MP4"
    if ffmpeg_format.startswith("matroska"):
        return "WEBM" if ext == ".webm" else "MATROSKA"
    return ffmpeg_format.split(",")[0].upper()


def _ffmpeg_reason(exc: av.error.FFmpegError) -> str:
    return str(getattr(exc, "strerror", None) or exc).strip() or type(exc).__name__
