"""Stereo re-projection of a mono separation: image kept, exact sum, no chunk seams."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from isolde.audio import open_audio
from isolde.audio import reproject as rp

RATE = 48_000


def _scene(tmp_path: Path, seconds: float = 4.0, target_rate: int = RATE) -> tuple[Path, Path]:
    """A tone in the left channel only, noise in both; the engine's mono target is the tone."""
    rng = np.random.default_rng(2)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    tone = 0.4 * np.sin(2 * np.pi * 880 * t)
    noise = rng.standard_normal((n, 2)) * 0.05
    mix = noise.copy()
    mix[:, 0] += tone
    source = tmp_path / "mix.wav"
    sf.write(source, mix.astype(np.float32), RATE, subtype="FLOAT")
    mono = tone / 2  # what a mono engine hears of it
    if target_rate != RATE:
        from isolde.audio import resample

        mono = resample(mono[:, None], RATE, target_rate)[:, 0]
    target = tmp_path / "target_mono.wav"
    sf.write(target, mono.astype(np.float32), target_rate, subtype="FLOAT")
    return source, target


def _run(tmp_path: Path, source: Path, target: Path) -> tuple[np.ndarray, np.ndarray]:
    with open_audio(source) as src, open_audio(target) as tgt:
        rp.reproject(src, tgt, tmp_path / "t.wav", tmp_path / "r.wav")
    t, _ = sf.read(tmp_path / "t.wav", dtype="float64")
    r, _ = sf.read(tmp_path / "r.wav", dtype="float64")
    return t, r


def test_the_stereo_image_is_kept_and_the_sum_is_exact(tmp_path: Path) -> None:
    source, target = _scene(tmp_path)
    t, r = _run(tmp_path, source, target)
    mix, _ = sf.read(source, dtype="float64")
    assert t.shape == mix.shape
    np.testing.assert_allclose(t + r, mix, atol=1e-6)
    left, right = np.sqrt(np.mean(t[:, 0] ** 2)), np.sqrt(np.mean(t[:, 1] ** 2))
    assert left > 0.25  # the tone (rms 0.28) is in the left target
    assert right < 0.1 * left  # and hardly any of it is on the right


def test_chunks_do_not_change_the_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, target = _scene(tmp_path, seconds=3.0)
    whole, _ = _run(tmp_path, source, target)
    monkeypatch.setattr(rp, "CHUNK_FRAMES", 7 * rp.HOP)
    (tmp_path / "small").mkdir()
    chunked, _ = _run(tmp_path / "small", source, target)
    np.testing.assert_allclose(chunked, whole, atol=1e-6)


def test_a_target_at_another_rate_is_matched_to_the_source(tmp_path: Path) -> None:
    source, target = _scene(tmp_path, seconds=2.0, target_rate=44_100)
    t, r = _run(tmp_path, source, target)
    mix, _ = sf.read(source, dtype="float64")
    assert t.shape == mix.shape
    np.testing.assert_allclose(t + r, mix, atol=1e-6)
    assert np.sqrt(np.mean(t[:, 0] ** 2)) > 10 * np.sqrt(np.mean(t[:, 1] ** 2))
