"""Whole-array and streaming resampling agree; transcode streams through both."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audio_helpers import tone

from isolde.audio import OutputFormat, Resampler, open_audio, resample, transcode, write_audio
from isolde.core.errors import Cancelled
from isolde.core.progress import CancelToken


def _stream(x: np.ndarray, resampler: Resampler, sizes: list[int]) -> np.ndarray:
    parts, pos = [], 0
    for size in itertools.cycle(sizes):
        if pos >= len(x):
            break
        parts.append(resampler.process(x[pos : pos + size]))
        pos += size
    parts.append(resampler.flush())
    return np.concatenate(parts)


@pytest.mark.parametrize(
    ("src", "dst"),
    [
        (44100, 48000),
        (48000, 44100),
        (48000, 16000),
        (16000, 48000),
        (22050, 16000),
        (8000, 8000),
    ],
)
def test_streaming_matches_whole_signal(src: int, dst: int) -> None:
    x = np.random.default_rng(src + dst).standard_normal((7919, 2)).astype(np.float32)
    whole = resample(x, src, dst)
    assert whole.dtype == np.float32
    assert whole.shape == (-(-len(x) * dst // src), 2)
    streamed = _stream(x, Resampler(src, dst, 2), [1, 7, 333, 1000, 4099, 13])
    assert streamed.shape == whole.shape
    np.testing.assert_allclose(streamed, whole, atol=1e-5)


def test_resample_keeps_a_tone_and_handles_mono() -> None:
    rate_in, rate_out = 48000, 16000
    x = tone(rate_in, rate_in, 1)[:, 0]
    y = resample(x, rate_in, rate_out)
    assert y.shape == (rate_out,)
    expected = tone(rate_out, rate_out, 1)[:, 0]
    # Away from the edges the resampled tone is the tone sampled at the new rate.
    np.testing.assert_allclose(y[200:-200], expected[200:-200], atol=2e-3)
    mono = Resampler(rate_in, rate_out, 1)
    streamed = np.concatenate([mono.process(x[:1000]), mono.process(x[1000:]), mono.flush()])
    np.testing.assert_allclose(streamed[:, 0], y, atol=1e-5)


def test_transcode_resamples_a_range(tmp_path: Path) -> None:
    signal = tone(200_000, 44100, 2)
    source_path = write_audio(tmp_path / "in.wav", signal, 44100)
    seen: list[float] = []
    with open_audio(source_path) as src:
        out = transcode(
            src,
            tmp_path / "out.flac",
            OutputFormat.parse("flac:24", 48000),
            start=10_000,
            stop=150_000,
            progress=lambda f, _m: seen.append(f),
        )
    expected = resample(signal[10_000:150_000], 44100, 48000)
    data, rate = sf.read(out, dtype="float32")
    assert rate == 48000 and data.shape == expected.shape
    np.testing.assert_allclose(data, expected, atol=2e-7 + 1 / 2**23)
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_transcode_same_rate_is_exact_and_cancel_leaves_nothing(tmp_path: Path) -> None:
    signal = tone(300_000, 16000, 1)
    with open_audio(write_audio(tmp_path / "in.wav", signal, 16000)) as src:
        out = transcode(src, tmp_path / "copy.wav", OutputFormat())
        np.testing.assert_array_equal(sf.read(out, dtype="float32")[0], signal[:, 0])
        token = CancelToken()
        with pytest.raises(Cancelled):
            transcode(
                src,
                tmp_path / "gone.mp3",
                OutputFormat("mp3"),
                cancel=token,
                progress=lambda _f, _m: token.cancel(),
            )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.wav", "in.wav"]


@pytest.mark.parametrize(("src", "dst"), [(48000, 16000), (48000, 44100), (22050, 16000)])
def test_tones_above_the_new_nyquist_do_not_alias(src: int, dst: int) -> None:
    # Just above the output's Nyquist is where a filter cut at it lets most through.
    freq = 0.5 * dst * 1.04
    t = np.arange(src) / src
    y = resample(np.sin(2 * np.pi * freq * t), src, dst)
    level = np.sqrt(2 * np.mean(y[dst // 10 : -dst // 10] ** 2))
    assert 20 * np.log10(level) < -100


def test_passband_tones_come_out_as_the_exact_tone_at_the_new_rate() -> None:
    src, dst = 44100, 48000
    freqs = np.array([440.0, 5000.0, 15000.0, 0.85 * src / 2])
    y = _stream(
        np.sin(2 * np.pi * freqs * np.arange(src)[:, None] / src).astype(np.float32),
        Resampler(src, dst, len(freqs)),
        [4096],
    )
    exact = np.sin(2 * np.pi * freqs * np.arange(len(y))[:, None] / dst)
    edge = dst // 10
    assert np.abs(y - exact)[edge:-edge].max() < 1e-3
