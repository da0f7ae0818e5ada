"""Every readable format round-trips: rate, channels, length and the samples themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audio_helpers import (
    FLOAT,
    PCM,
    best_correlation,
    pcm_bytes,
    quantize,
    tone,
    write_wav,
    write_with_pyav,
)

from isolde.audio import open_audio, probe

RATE = 48000


@pytest.mark.parametrize("bits", [8, 16, 24, 32])
@pytest.mark.parametrize("extensible", [False, True])
def test_integer_wav_reads_exact_values(tmp_path: Path, bits: int, extensible: bool) -> None:
    ints = quantize(tone(4801, RATE, 2), bits)
    path = write_wav(
        tmp_path / f"i{bits}.wav",
        pcm_bytes(ints, bits),
        tag=PCM,
        channels=2,
        rate=RATE,
        bits=bits,
        extensible=extensible,
    )
    with open_audio(path) as src:
        assert (src.sample_rate, src.channels, src.frames) == (RATE, 2, 4801)
        assert src.info.subtype == ("PCM_U8" if bits == 8 else f"PCM_{bits}")
        np.testing.assert_array_equal(src.read(), (ints / 2 ** (bits - 1)).astype(np.float32))
        if bits == 24:
            assert src.samples is None
        else:
            assert isinstance(src.samples, np.memmap)
            assert not src.samples.flags.writeable


@pytest.mark.parametrize(("dtype", "bits"), [("<f4", 32), ("<f8", 64)])
def test_float_wav_reads_exact_values(tmp_path: Path, dtype: str, bits: int) -> None:
    signal = tone(3000, RATE, 1).astype(dtype)
    signal[10] = 1.5  # float WAV may exceed full scale; reading must not clip it
    path = write_wav(
        tmp_path / "f.wav", signal.tobytes(), tag=FLOAT, channels=1, rate=RATE, bits=bits
    )
    with open_audio(path) as src:
        assert src.info.subtype == ("FLOAT" if bits == 32 else "DOUBLE")
        assert src.samples is not None and src.samples.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(src.read(), signal.astype(np.float32))


def test_rf64_is_mapped_from_the_ds64_size(tmp_path: Path) -> None:
    ints = quantize(tone(2000, RATE, 2), 16)
    path = write_wav(
        tmp_path / "big.wav",
        pcm_bytes(ints, 16),
        tag=PCM,
        channels=2,
        rate=RATE,
        bits=16,
        rf64=True,
    )
    info = probe(path)
    assert (info.format, info.frames) == ("RF64", 2000)
    with open_audio(path) as src:
        np.testing.assert_array_equal(src.read(), (ints / 32768).astype(np.float32))


def test_chunks_before_data_and_odd_sized_chunks_are_skipped(tmp_path: Path) -> None:
    ints = quantize(tone(999, RATE, 1), 16)
    extra = b"LIST" + (5).to_bytes(4, "little") + b"abcde\x00"  # odd size, padded
    path = write_wav(
        tmp_path / "list.wav",
        pcm_bytes(ints, 16),
        tag=PCM,
        channels=1,
        rate=RATE,
        bits=16,
        extra=extra,
    )
    with open_audio(path) as src:
        np.testing.assert_array_equal(src.read()[:, 0], (ints[:, 0] / 32768).astype(np.float32))


@pytest.mark.parametrize(
    ("name", "fmt", "subtype", "depth"),
    [
        ("a.flac", "FLAC", "PCM_16", 16),
        ("a.flac", "FLAC", "PCM_24", 24),
        ("a.aiff", "AIFF", "PCM_16", 16),
        ("a.aiff", "AIFF", "PCM_24", 24),
    ],
)
def test_lossless_soundfile_formats_read_exact_values(
    tmp_path: Path, name: str, fmt: str, subtype: str, depth: int
) -> None:
    ints = quantize(tone(RATE // 2, RATE, 2), depth)
    expected = (ints / 2 ** (depth - 1)).astype(np.float32)
    sf.write(tmp_path / name, expected, RATE, subtype=subtype, format=fmt)
    with open_audio(tmp_path / name) as src:
        assert (src.info.format, src.info.subtype, src.frames) == (fmt, subtype, RATE // 2)
        assert isinstance(src.samples, np.memmap)  # served from the PCM cache
        np.testing.assert_array_equal(src.read(), expected)


@pytest.mark.parametrize(
    ("name", "fmt", "subtype", "rate"),
    [
        ("a.ogg", "OGG", "VORBIS", 44100),
        ("a.opus", "OGG", "OPUS", 48000),
        ("a.mp3", "MP3", "MPEG_LAYER_III", 44100),
    ],
)
def test_lossy_soundfile_formats_resemble_the_source(
    tmp_path: Path, name: str, fmt: str, subtype: str, rate: int
) -> None:
    signal = tone(rate, rate, 2)
    sf.write(tmp_path / name, signal, rate, subtype=subtype, format=fmt)
    with open_audio(tmp_path / name) as src:
        assert (src.sample_rate, src.channels, src.info.format) == (rate, 2, fmt)
        assert src.duration == pytest.approx(1.0, abs=0.06)
        decoded = src.read()
    for ch in range(2):
        assert best_correlation(decoded[:, ch], signal[:, ch]) > 0.98


@pytest.mark.parametrize(
    ("name", "codec", "video", "label"),
    [
        ("a.m4a", "aac", False, "MP4"),
        ("clip.mp4", "aac", True, "MP4"),
        ("clip.mov", "aac", True, "MOV"),
        ("clip.mkv", "aac", True, "MATROSKA"),
        ("a.webm", "libopus", False, "WEBM"),
    ],
)
def test_pyav_containers_give_their_audio(
    tmp_path: Path, name: str, codec: str, video: bool, label: str
) -> None:
    signal = tone(RATE, RATE, 2)
    path = write_with_pyav(tmp_path / name, signal, RATE, codec, video=video)
    info = probe(path)
    assert (info.format, info.has_video, info.sample_rate, info.channels) == (label, video, RATE, 2)
    with open_audio(path) as src:
        assert src.info.has_video is video
        assert src.duration == pytest.approx(1.0, abs=0.05)
        decoded = src.read()
    for ch in range(2):
        assert best_correlation(decoded[:, ch], signal[:, ch]) > 0.95


def test_raw_adts_aac_reads(tmp_path: Path) -> None:
    signal = tone(RATE // 2, RATE, 1)
    path = write_with_pyav(tmp_path / "a.aac", signal, RATE, "aac", container_format="adts")
    with open_audio(path) as src:
        assert (src.info.format, src.channels) == ("AAC", 1)
        assert best_correlation(src.read_mono(), signal[:, 0]) > 0.95


@pytest.mark.parametrize("subtype", ["ULAW", "MS_ADPCM"])
def test_compressed_wav_codecs_are_decoded_through_the_cache(tmp_path: Path, subtype: str) -> None:
    signal = tone(8000, 8000, 1)
    sf.write(tmp_path / "c.wav", signal, 8000, subtype=subtype)
    with open_audio(tmp_path / "c.wav") as src:
        assert (src.info.format, src.info.subtype) == ("WAV", subtype)
        assert src.samples is not None and src.samples.dtype == np.float32
        assert best_correlation(src.read_mono(), signal[:, 0], max_lag=16) > 0.95
