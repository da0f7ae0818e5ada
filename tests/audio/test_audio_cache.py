"""The PCM decode cache: reused on the second open, never left half-written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import platformdirs
import pytest
import soundfile as sf
from audio_helpers import tone, write_with_pyav

import isolde.audio.opening as opening
from isolde.audio import cache_dir, open_audio
from isolde.audio.info import AudioInfo
from isolde.core.errors import AudioFileError, Cancelled
from isolde.core.progress import CancelToken

RATE = 16000


@pytest.fixture
def flac(tmp_path: Path) -> Path:
    path = tmp_path / "long.flac"
    sf.write(path, tone(300_000, RATE, 2), RATE, subtype="PCM_16")
    return path


@pytest.fixture
def decode_counter(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = opening.decode_blocks

    def counting(info: AudioInfo, decoder: str) -> Iterator[np.ndarray]:
        calls.append(info.path)
        return real(info, decoder)

    monkeypatch.setattr(opening, "decode_blocks", counting)
    return calls


def _entries(cache: Path) -> list[str]:
    folder = cache / "pcm"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_cache_dir_follows_the_environment(
    audio_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cache_dir() == audio_cache
    monkeypatch.delenv("ISOLDE_CACHE_DIR")
    assert cache_dir() == Path(platformdirs.user_cache_dir("isolde"))


def test_second_open_reuses_the_cache(
    flac: Path, audio_cache: Path, decode_counter: list[str]
) -> None:
    with open_audio(flac) as first:
        expected = first.read()
    entries = _entries(audio_cache)
    assert len(entries) == 2 and {Path(e).suffix for e in entries} == {".f32", ".json"}
    data_file = next(audio_cache.glob("pcm/*.f32"))
    stamp = data_file.stat().st_mtime_ns
    with open_audio(flac) as second:
        np.testing.assert_array_equal(second.read(), expected)
        assert Path(second.samples.filename) == data_file  # type: ignore[union-attr]
    assert decode_counter == [str(flac)]
    assert data_file.stat().st_mtime_ns == stamp
    assert _entries(audio_cache) == entries


def test_changed_file_is_decoded_again(flac: Path, decode_counter: list[str]) -> None:
    open_audio(flac).close()
    sf.write(flac, tone(1000, RATE, 1), RATE)
    with open_audio(flac) as src:
        assert (src.channels, src.frames) == (1, 1000)
    assert len(decode_counter) == 2


def test_damaged_cache_entry_is_replaced(
    flac: Path, audio_cache: Path, decode_counter: list[str]
) -> None:
    open_audio(flac).close()
    data_file = next(audio_cache.glob("pcm/*.f32"))
    with open(data_file, "r+b") as f:
        f.truncate(1000)
    with open_audio(flac) as src:
        assert src.frames == 300_000
    assert len(decode_counter) == 2


def test_decode_reports_progress(flac: Path) -> None:
    seen: list[float] = []
    open_audio(flac, progress=lambda fraction, _msg: seen.append(fraction)).close()
    assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] == 1.0


def test_cancel_during_decode_leaves_no_cache_entry(flac: Path, audio_cache: Path) -> None:
    token = CancelToken()

    def cancel_on_first_report(fraction: float, _msg: str) -> None:
        token.cancel()

    with pytest.raises(Cancelled):
        open_audio(flac, progress=cancel_on_first_report, cancel=token)
    assert _entries(audio_cache) == []
    with open_audio(flac) as src:  # and the next open decodes cleanly
        assert src.frames == 300_000


def test_cancel_during_a_pyav_decode_leaves_no_cache_entry(
    tmp_path: Path, audio_cache: Path
) -> None:
    path = write_with_pyav(tmp_path / "clip.m4a", tone(RATE * 3, RATE, 1), RATE, "aac")
    token = CancelToken()
    with pytest.raises(Cancelled):
        open_audio(path, progress=lambda _f, _m: token.cancel(), cancel=token)
    assert _entries(audio_cache) == []


def test_decoder_failure_midway_leaves_no_cache_entry(
    flac: Path, audio_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(info: AudioInfo, decoder: str) -> Iterator[np.ndarray]:
        yield np.zeros((100, info.channels), np.float32)
        raise AudioFileError(info.path, "decoding failed at 0.0 s (boom)")

    monkeypatch.setattr(opening, "decode_blocks", failing)
    with pytest.raises(AudioFileError, match="boom"):
        open_audio(flac)
    assert _entries(audio_cache) == []


def test_unwritable_cache_is_an_audio_file_error(
    flac: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("ISOLDE_CACHE_DIR", str(blocker))
    with pytest.raises(AudioFileError, match="ISOLDE_CACHE_DIR") as err:
        open_audio(flac)
    assert str(flac) in str(err.value)
