"""The `local` provider on awkward input, through real files: silence, DC, clipping, files shorter
than a frame, one to six channels, 8–192 kHz, full reduction, chunk seams, cancel mid-run."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from isolde.core.errors import Cancelled
from isolde.core.progress import CancelToken
from isolde.core.spans import Span
from isolde.dsp import denoised_stream, rnnoise
from isolde.dsp.separation import estimate_profiles, separate
from isolde.dsp.sources import ArraySource
from isolde.dsp.stft import StftGrid
from isolde.dsp.wiener import WienerParams
from isolde.providers.base import JobEvent, Request, RequestKind
from isolde.providers.local import LocalProvider

METHODS = [
    "spectral",
    pytest.param(
        "speech", marks=pytest.mark.skipif(not rnnoise.available(), reason="no pyrnnoise")
    ),
]


def separate_file(path: Path, work: Path, method: str, spans=(), **options):
    request = Request(
        RequestKind.SPANS, str(path), spans=tuple(spans), options={"method": method, **options}
    )
    result = LocalProvider().run(request, work)
    target, _ = sf.read(result.files["target"], dtype="float64", always_2d=True)
    residual, _ = sf.read(result.files["residual"], dtype="float64", always_2d=True)
    return target, residual, result


def assert_exact(target: np.ndarray, residual: np.ndarray, mix: np.ndarray) -> None:
    assert target.shape == residual.shape == mix.shape
    assert np.isfinite(target).all() and np.isfinite(residual).all()
    # Each output is float32: their sum matches the input to float32 rounding.
    np.testing.assert_allclose(target + residual, mix.astype(np.float32), rtol=0, atol=2e-7)


@pytest.mark.parametrize("method", METHODS)
def test_digital_silence_stays_silent(write_wav, tmp_path: Path, method: str) -> None:
    mix = np.zeros((48_000, 2))
    target, residual, _ = separate_file(write_wav(mix), tmp_path / "job", method)
    assert not target.any() and not residual.any()


@pytest.mark.parametrize("method", METHODS)
def test_dc_offset_and_clipping(sig, write_wav, tmp_path: Path, method: str) -> None:
    speech = sig.speech(4.0, sig.rate, 1)
    speech[: sig.rate] = 0
    loud = np.clip(8 * speech + 0.2, -1, 1)  # DC offset, then clipped hard
    mix = (loud + 0.02 * np.random.default_rng(0).standard_normal(len(loud)))[:, None]
    path = tmp_path / "clipped.wav"
    sf.write(path, mix, sig.rate, subtype="PCM_16")
    mix16, _ = sf.read(path, dtype="float64", always_2d=True)
    target, residual, _ = separate_file(path, tmp_path / "job", method, [Span(0, 0.95, False)])
    assert_exact(target, residual, mix16)
    assert np.abs(target).max() < 1.5


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("frames", [1, 10, 300, 2400])
def test_files_shorter_than_a_frame(write_wav, tmp_path: Path, method: str, frames: int) -> None:
    mix = 0.1 * np.random.default_rng(frames).standard_normal((frames, 2))
    target, residual, _ = separate_file(write_wav(mix), tmp_path / "job", method)
    assert_exact(target, residual, mix)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("channels", [1, 2, 6])
def test_every_channel_count_shares_one_mask(
    sig, write_wav, tmp_path: Path, method: str, channels: int
) -> None:
    speech = sig.speech(4.0, sig.rate, 2)
    speech[: sig.rate] = 0
    gains = np.linspace(1.0, 0.25, channels)
    noise = 0.02 * np.random.default_rng(1).standard_normal((len(speech), channels))
    mix = speech[:, None] * gains + noise
    target, residual, _ = separate_file(
        write_wav(mix), tmp_path / "job", method, [Span(0, 0.95, False)]
    )
    assert_exact(target, residual, mix)
    voiced = np.abs(speech) > 0.05
    levels = np.sqrt(np.mean(target[voiced] ** 2, axis=0))
    np.testing.assert_allclose(levels / levels[0], gains / gains[0], rtol=0.1)  # image kept


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("rate", [8_000, 11_025, 22_050, 44_100, 96_000, 192_000])
def test_sample_rates_from_8_to_192_khz(
    sig, write_wav, tmp_path: Path, method: str, rate: int
) -> None:
    speech = sig.speech(3.0, rate, 3)
    speech[:rate] = 0
    mix = (speech + 0.05 * np.random.default_rng(2).standard_normal(len(speech)))[:, None]
    target, residual, result = separate_file(
        write_wav(mix, rate=rate), tmp_path / "job", method, [Span(0, 0.95, False)]
    )
    assert result.sample_rate == rate
    assert_exact(target, residual, mix)
    # Inside the exclude span only the floor (-30 dB) of the input is left.
    inside = slice(int(0.1 * rate), int(0.85 * rate))
    assert np.std(target[inside]) < 0.05 * np.std(mix[inside])


def test_full_reduction_removes_the_background_entirely(write_wav, tmp_path: Path) -> None:
    noise = 0.1 * np.random.default_rng(3).standard_normal((48_000, 1))
    target, _, result = separate_file(
        write_wav(noise), tmp_path / "job", "spectral", [Span(0, 1, False)], reduction_db=120
    )
    assert result.details["reduction_db"] == 120
    assert not target[2000:-2000].any()


@pytest.mark.parametrize("chunk", [5, 23])
def test_chunk_seams_leave_no_step_in_a_steady_tone(chunk: int) -> None:
    rate = 48_000
    t = np.arange(3 * rate) / rate
    tone = 0.5 * np.sin(2 * np.pi * 997 * t)
    noise = 0.01 * np.random.default_rng(4).standard_normal(len(t))
    mix = np.concatenate([noise[:rate], tone[rate:] + noise[rate:]])[:, None]
    source = ArraySource(mix, rate)
    grid = StftGrid.for_rate(rate)
    params = WienerParams()
    excluded = [(0, rate - 4096)]
    profiles = estimate_profiles(source, grid, params, excluded, [], lambda n: None, chunk)
    out: list[np.ndarray] = []
    separate(
        source, grid, params, profiles, excluded, lambda a, b: out.append(a), lambda n: None, chunk
    )
    target = np.concatenate(out)[:, 0]
    steady = slice(rate + 4096, len(t) - 4096)
    assert np.abs(target[steady] - tone[steady]).max() < 0.02  # the tone passes, seams included
    step = np.abs(np.diff(target[steady]))
    seams = [grid.frame_start(m) - steady.start for m in range(0, grid.frame_count(len(t)), chunk)]
    seams = [s for s in seams if 1 <= s < len(step) - 1]
    assert step[seams].max() <= step.max() * 1.0001


@pytest.mark.skipif(not rnnoise.available(), reason="no pyrnnoise")
def test_cancel_stops_the_rnnoise_worker_and_leaves_no_files(
    sig, write_wav, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(denoised_stream, "PROCESS_MIN_S", 1.0)  # use the worker on a short file
    speech = sig.speech(6.0, 16_000, 5)
    path = write_wav((speech + 0.01)[:, None], rate=16_000)
    token = CancelToken()
    seen = 0

    def on_event(event: JobEvent) -> None:
        nonlocal seen
        if event.state == "running" and event.message == "separating":
            seen += 1
            if seen == 2:
                token.cancel()

    request = Request(RequestKind.SPANS, str(path), options={"method": "speech"})
    with pytest.raises(Cancelled):
        LocalProvider().run(request, tmp_path / "job", on_event=on_event, cancel=token)
    assert list((tmp_path / "job").iterdir()) == []
    assert not [p for p in mp.active_children() if p.name == "isolde-rnnoise"]
