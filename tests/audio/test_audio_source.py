"""AudioSource reading, probing, AudioInfo and the content hash."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
from audio_helpers import PCM, pcm_bytes, quantize, tone, write_wav

from isolde.audio import AudioInfo, content_hash, open_audio, probe, write_audio

RATE = 8000


@pytest.fixture
def wav16(tmp_path: Path) -> tuple[Path, np.ndarray]:
    ints = quantize(tone(10_000, RATE, 2), 16)
    path = write_wav(
        tmp_path / "s.wav", pcm_bytes(ints, 16), tag=PCM, channels=2, rate=RATE, bits=16
    )
    return path, (ints / 32768).astype(np.float32)


def test_pcm_wav_is_mapped_not_loaded(wav16: tuple[Path, np.ndarray]) -> None:
    path, _ = wav16
    with open_audio(path) as src:
        assert isinstance(src.samples, np.memmap)
        assert src.samples.shape == (10_000, 2) and src.samples.dtype == np.int16
        assert src.scale == pytest.approx(1 / 32768)
        assert src.samples.filename == str(path.resolve())


def test_read_clips_bounds_and_blocks_cover_the_range(wav16: tuple[Path, np.ndarray]) -> None:
    path, expected = wav16
    with open_audio(path) as src:
        assert src.read(-50, 3).shape == (3, 2)
        assert src.read(9_990, 20_000).shape == (10, 2)
        assert src.read(500, 100).shape == (0, 2)
        np.testing.assert_array_equal(src.read(100, 200), expected[100:200])
        starts, parts = zip(*src.blocks(3_000, 1_000, 9_500), strict=True)
        assert starts == (1_000, 4_000, 7_000)
        np.testing.assert_array_equal(np.concatenate(parts), expected[1_000:9_500])
        mono = src.read_mono(0, 10)
        assert mono.shape == (10,) and mono.dtype == np.float32
        np.testing.assert_allclose(mono, expected[:10].mean(axis=1), atol=1e-7)


def test_read_returns_copies_and_close_releases(wav16: tuple[Path, np.ndarray]) -> None:
    path, _ = wav16
    src = open_audio(path)
    block = src.read(0, 10)
    block[:] = 0  # must not write through to the file or the map
    assert src.read(0, 10).any()
    src.close()
    assert src.closed
    with pytest.raises(ValueError, match="closed"):
        src.read()


def test_opening_a_large_wav_is_constant_time(tmp_path: Path) -> None:
    # 600 MB of declared audio in a sparse file: opening must not read or hash the data.
    path = tmp_path / "long.wav"
    frames = 150_000_000
    write_wav(path, b"", tag=PCM, channels=2, rate=48_000, bits=16, declared=frames * 4)
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size + frames * 4)
    started = time.perf_counter()
    with open_audio(path) as src:
        assert src.frames == frames
        assert src.duration == pytest.approx(frames / 48_000)
        assert src.read(frames - 5).shape == (5, 2)
    assert time.perf_counter() - started < 0.5


def test_probe_matches_open_and_info_serialises(wav16: tuple[Path, np.ndarray]) -> None:
    path, _ = wav16
    info = probe(path)
    assert info == AudioInfo(str(path), RATE, 2, 10_000, "WAV", "PCM_16")
    data = json.loads(json.dumps(info.to_json()))
    assert data["duration"] == pytest.approx(1.25)
    assert data["has_video"] is False and data["subtype"] == "PCM_16"
    with open_audio(path) as src:
        assert src.info == info


def test_content_hash_small_and_large(tmp_path: Path) -> None:
    small = tmp_path / "small.bin"
    small.write_bytes(b"abc" * 1000)
    assert content_hash(small).startswith("blake2b-sampled:")
    assert content_hash(small) == content_hash(small)

    large = tmp_path / "large.bin"
    rng = np.random.default_rng(3)
    payload = bytearray(rng.integers(0, 256, 20 * 1024 * 1024, dtype=np.uint8).tobytes())
    large.write_bytes(payload)
    first = content_hash(large)
    payload[-1] ^= 0xFF  # the tail is always sampled
    large.write_bytes(payload)
    assert content_hash(large) != first
    large.write_bytes(payload + b"x")  # the size is always included
    assert content_hash(large) != first


def test_content_hash_of_a_big_file_is_fast(tmp_path: Path) -> None:
    path = tmp_path / "sparse.bin"
    with open(path, "wb") as f:
        f.truncate(2 * 1024**3)
    started = time.perf_counter()
    content_hash(path)
    assert time.perf_counter() - started < 0.5


def test_eight_bit_offset_is_exposed(tmp_path: Path) -> None:
    ints = quantize(tone(100, RATE, 1), 8)
    path = write_wav(
        tmp_path / "u8.wav", pcm_bytes(ints, 8), tag=PCM, channels=1, rate=RATE, bits=8
    )
    with open_audio(path) as src:
        assert src.samples is not None and src.samples.dtype == np.uint8
        manual = (src.samples.astype(np.float32) + src.offset) * src.scale
        np.testing.assert_array_equal(manual, src.read())


def test_writer_output_reads_back_through_the_mapped_path(tmp_path: Path) -> None:
    signal = tone(1234, RATE, 3, amp=0.9)
    path = write_audio(tmp_path / "three.wav", signal, RATE)
    with open_audio(path) as src:
        assert isinstance(src.samples, np.memmap) and src.channels == 3
        np.testing.assert_array_equal(src.read(), signal)
    assert os.access(path, os.R_OK)


def test_streaming_blocks_does_not_grow_resident_memory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A pass over a mapped file must not keep its pages resident (a 500 MB upload did)."""
    import numpy as np
    import soundfile as sf

    from isolde.audio import open_audio

    path = tmp_path / "long.wav"
    frames = 48_000 * 60 * 6  # 6 minutes of float stereo: ~138 MB
    with sf.SoundFile(path, "w", 48_000, 2, subtype="FLOAT") as f:
        for _ in range(6):
            f.write(np.full((48_000 * 60, 2), 0.01, np.float32))

    def rss_mb() -> float:
        with open("/proc/self/status") as status:
            line = next(x for x in status if x.startswith("VmRSS"))
        return int(line.split()[1]) / 1024

    with open_audio(path) as source:
        assert source.frames == frames
        before = rss_mb()
        total = sum(len(block) for _, block in source.blocks(65_536))
        assert total == frames
        assert rss_mb() - before < 40
