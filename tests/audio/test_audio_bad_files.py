"""Every way a file can be unreadable raises AudioFileError naming the file and the reason."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audio_helpers import PCM, pcm_bytes, quantize, tone, write_video_only, write_wav

import isolde.audio.file_checks as file_checks
from isolde.audio import open_audio, probe
from isolde.core.errors import AudioFileError, InputError


def _fails(path: Path, *fragments: str) -> AudioFileError:
    """Both probe and open_audio must fail the same way."""
    for call in (probe, open_audio):
        with pytest.raises(AudioFileError) as err:
            call(path)
        message = str(err.value)
        assert str(path) in message
        for fragment in fragments:
            assert fragment in message, message
    assert isinstance(err.value, InputError) and err.value.path == str(path)
    return err.value


def test_missing_file(tmp_path: Path) -> None:
    _fails(tmp_path / "nope.wav", "no such file")


def test_directory(tmp_path: Path) -> None:
    _fails(tmp_path, "is a folder")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    _fails(path, "the file is empty")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads anything")
def test_permission_denied_for_real(tmp_path: Path) -> None:
    path = tmp_path / "locked.wav"
    path.write_bytes(b"RIFF")
    path.chmod(0)
    _fails(path, "permission denied")


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.wav"
    path.write_bytes(b"RIFF")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(file_checks, "open", refuse, raising=False)
    _fails(path, "permission denied")


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("notes.txt", b"Meeting notes\nnothing to hear here\n" * 20, "a text file"),
        ("notes.wav", b"not really a wav, just text\n" * 20, "a text file"),
        ("cover.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "a PNG image"),
    ],
)
def test_not_audio(tmp_path: Path, name: str, content: bytes, kind: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    _fails(path, "not an audio or video file Isolde can read", kind)


def test_unrecognised_binary(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(np.random.default_rng(0).integers(1, 256, 20_000, np.uint8).tobytes())
    _fails(path, "not an audio or video file Isolde can read", "not recognised")


def test_damaged_file_with_a_media_name(tmp_path: Path) -> None:
    path = tmp_path / "song.flac"
    sf.write(path, tone(48_000, 48_000), 48_000)
    path.write_bytes(path.read_bytes()[:30])
    _fails(path, "damaged or truncated")


@pytest.mark.parametrize("cut", [6, 20, 30])
def test_wav_header_cut_short(tmp_path: Path, cut: int) -> None:
    full = write_wav(tmp_path / "full.wav", b"\x00" * 400, tag=PCM, channels=2, rate=8000, bits=16)
    path = tmp_path / "cut.wav"
    path.write_bytes(full.read_bytes()[:cut])
    _fails(path, "truncated", "re-export")


def test_wav_data_shorter_than_declared(tmp_path: Path) -> None:
    data = pcm_bytes(quantize(tone(1000, 8000, 2), 16), 16)
    path = write_wav(
        tmp_path / "short.wav",
        data,
        tag=PCM,
        channels=2,
        rate=8000,
        bits=16,
        declared=len(data) * 4,
    )
    err = _fails(path, "looks truncated", "re-export")
    assert f"{len(data) * 4:,}" in err.reason


def test_rf64_data_shorter_than_ds64_says(tmp_path: Path) -> None:
    path = write_wav(
        tmp_path / "short.wav",
        b"\x00" * 400,
        tag=PCM,
        channels=2,
        rate=8000,
        bits=16,
        rf64=True,
        declared=10_000,
    )
    _fails(path, "looks truncated")


def test_wav_with_zero_frames(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "silent.wav", b"", tag=PCM, channels=1, rate=8000, bits=16)
    _fails(path, "contains no audio")


def test_wav_with_zero_channels(tmp_path: Path) -> None:
    path = tmp_path / "odd.wav"
    body = struct.pack("<HHIIHH", PCM, 0, 8000, 0, 0, 16)
    path.write_bytes(
        b"RIFF"
        + struct.pack("<I", 36)
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + body
        + b"data"
        + struct.pack("<I", 0)
    )
    _fails(path, "damaged")


def test_video_without_audio(tmp_path: Path) -> None:
    path = write_video_only(tmp_path / "silent.mp4")
    _fails(path, "has no audio track")
