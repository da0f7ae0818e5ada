"""Writing WAV/FLAC/MP3, the output format spec, and atomic replacement."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audio_helpers import best_correlation, quantize, tone

from isolde.audio import AudioWriter, OutputFormat, open_audio, write_audio
from isolde.core.errors import AudioFileError, InputError

RATE = 44100


@pytest.mark.parametrize(
    ("spec", "subtype", "bits"),
    [
        ("wav:16", "PCM_16", 16),
        ("wav:24", "PCM_24", 24),
        ("flac:16", "PCM_16", 16),
        ("flac:24", "PCM_24", 24),
        ("flac", "PCM_24", 24),
    ],
)
def test_integer_outputs_round_trip_exactly(
    tmp_path: Path, spec: str, subtype: str, bits: int
) -> None:
    fmt = OutputFormat.parse(spec)
    expected = (quantize(tone(5000, RATE, 2), bits) / 2 ** (bits - 1)).astype(np.float32)
    path = write_audio(tmp_path / f"out{fmt.extension}", expected, RATE, fmt)
    assert sf.info(path).subtype == subtype
    with open_audio(path) as src:
        assert (src.sample_rate, src.channels, src.frames) == (RATE, 2, 5000)
        np.testing.assert_array_equal(src.read(), expected)


def test_float_wav_keeps_values_beyond_full_scale(tmp_path: Path) -> None:
    signal = tone(3000, RATE, 1, amp=1.5)[:, 0].astype(np.float64)  # mono (n,) input
    path = write_audio(tmp_path / "hot.wav", signal, RATE, OutputFormat.parse("wav:float"))
    with open_audio(path) as src:
        assert src.info.subtype == "FLOAT"
        np.testing.assert_array_equal(src.read()[:, 0], signal.astype(np.float32))


def test_integer_and_mp3_outputs_clip(tmp_path: Path) -> None:
    signal = tone(RATE, RATE, 1, amp=2.0)
    for spec in ("wav:16", "mp3:128"):
        path = write_audio(
            tmp_path / f"clip{OutputFormat.parse(spec).extension}",
            signal,
            RATE,
            OutputFormat.parse(spec),
        )
        with open_audio(path) as src:
            assert np.abs(src.read()).max() <= 1.05


def test_mp3_reads_back_and_bitrate_sets_the_size(tmp_path: Path) -> None:
    noise = np.random.default_rng(1).standard_normal((RATE * 2, 2)).astype(np.float32) * 0.3
    sizes = {}
    for kbps in (64, 320):
        path = write_audio(
            tmp_path / f"b{kbps}.mp3", noise, RATE, OutputFormat.parse(f"mp3:{kbps}")
        )
        sizes[kbps] = path.stat().st_size
        assert sizes[kbps] * 8 / 2 / 1000 == pytest.approx(kbps, rel=0.1)  # CBR
    assert sizes[320] > 3 * sizes[64]
    signal = tone(RATE, RATE, 2)
    path = write_audio(tmp_path / "tone.mp3", signal, RATE, OutputFormat("mp3"))
    with open_audio(path) as src:
        assert (src.info.format, src.sample_rate, src.channels) == ("MP3", RATE, 2)
        assert src.duration == pytest.approx(1.0, abs=0.06)
        assert best_correlation(src.read()[:, 0], signal[:, 0]) > 0.98


def test_write_audio_resamples_when_asked(tmp_path: Path) -> None:
    path = write_audio(
        tmp_path / "r.wav", tone(48000, 48000, 1), 48000, OutputFormat(sample_rate=16000)
    )
    with open_audio(path) as src:
        assert (src.sample_rate, src.frames) == (16000, 16000)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("wav", OutputFormat("wav", "float")),
        ("WAV:16", OutputFormat("wav", "16")),
        ("wav:24", OutputFormat("wav", "24")),
        ("wav:float", OutputFormat("wav", "float")),
        ("flac", OutputFormat("flac", "24")),
        ("flac:16", OutputFormat("flac", "16")),
        ("mp3", OutputFormat("mp3", bitrate_kbps=192)),
        (" mp3:320 ", OutputFormat("mp3", bitrate_kbps=320)),
    ],
)
def test_output_format_parse(spec: str, expected: OutputFormat) -> None:
    assert OutputFormat.parse(spec) == expected
    assert OutputFormat.parse(spec, sample_rate=22050).sample_rate == 22050
    assert expected.extension == f".{expected.container}"


@pytest.mark.parametrize("spec", ["ogg", "wav:8", "flac:float", "mp3:1000", "mp3:fast", ""])
def test_output_format_parse_rejects_with_the_allowed_forms(spec: str) -> None:
    with pytest.raises(InputError) as err:
        OutputFormat.parse(spec)
    assert "wav:16" in str(err.value) or "32–320" in str(err.value)


def test_writer_leaves_nothing_on_exception(tmp_path: Path) -> None:
    target = tmp_path / "out.wav"
    target.write_bytes(b"the previous export")
    with pytest.raises(RuntimeError), AudioWriter(target, RATE, 2) as writer:
        writer.write(tone(1000, RATE, 2))
        raise RuntimeError("stop")
    assert target.read_bytes() == b"the previous export"
    assert sorted(os.listdir(tmp_path)) == ["out.wav"]

    fresh = tmp_path / "fresh.flac"
    with pytest.raises(RuntimeError), AudioWriter(fresh, RATE, 1, OutputFormat("flac")) as w:
        w.write(tone(1000, RATE, 1))
        raise RuntimeError("stop")
    assert sorted(os.listdir(tmp_path)) == ["out.wav"]


def test_writer_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "out.wav"
    with AudioWriter(target, RATE, 1, OutputFormat("wav", "16")) as writer:
        assert not target.exists()
        writer.write(tone(100, RATE, 1))
        writer.write(tone(50, RATE, 1)[:, 0])
    assert writer.frames_written == 150 and sf.info(target).frames == 150
    assert writer.path == target


def test_writer_checks_shapes_and_rates(tmp_path: Path) -> None:
    with AudioWriter(tmp_path / "a.wav", RATE, 2) as writer, pytest.raises(ValueError):
        writer.write(np.zeros((10, 3), np.float32))
    with pytest.raises(ValueError, match="resample"):
        AudioWriter(tmp_path / "b.wav", RATE, 2, OutputFormat(sample_rate=48000))
    with pytest.raises(AudioFileError, match="MP3 cannot store 96000 Hz"):
        AudioWriter(tmp_path / "c.mp3", 96000, 2, OutputFormat("mp3"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wav"]


def test_unwritable_destinations(tmp_path: Path) -> None:
    with pytest.raises(AudioFileError, match="does not exist") as err:
        write_audio(tmp_path / "missing" / "x.wav", tone(10, RATE), RATE)
    assert "missing" in str(err.value)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(AudioFileError):
        write_audio(blocker / "x.wav", tone(10, RATE), RATE)


def test_permission_denied_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    real_open = os.open

    def guarded(path: str | os.PathLike[str], flags: int, mode: int = 0o777) -> int:
        if Path(path).parent == locked:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", guarded)  # also what a read-only folder does, even as root
    with pytest.raises(AudioFileError, match="permission denied") as err:
        write_audio(locked / "x.wav", tone(10, RATE), RATE)
    assert str(locked / "x.wav") in str(err.value)
