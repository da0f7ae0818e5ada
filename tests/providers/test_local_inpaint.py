"""Gap repair by the `local` provider: short clicks by prediction, long dropouts by room tone."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import lfilter

from isolde.core.spans import InpaintRegion
from isolde.dsp.autoregressive import burg, fill_gap
from isolde.dsp.gap_repair import CROSSFADE_S
from isolde.dsp.room_tone import equal_power, looped
from isolde.providers.base import JobEvent, Request, RequestKind
from isolde.providers.local import LocalProvider


def inpaint(path: Path, start: float, end: float, work: Path, events=None):
    request = Request(RequestKind.INPAINT, str(path), region=InpaintRegion(start, end, "a dog"))
    on_event = events.append if events is not None else (lambda e: None)
    return LocalProvider().run(request, work, on_event=on_event)


def band_levels_db(x: np.ndarray, rate: int) -> np.ndarray:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    edges = np.geomspace(100, 16000, 9)
    bands = [spectrum[(freqs >= a) & (freqs < b)].mean() for a, b in pairwise(edges)]
    return 10 * np.log10(np.array(bands))


def test_click_on_a_tone_is_predicted_away(sig, write_wav, tmp_path: Path) -> None:
    rate = sig.rate
    t = np.arange(3 * rate) / rate
    clean = (0.5 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1250 * t + 1))[:, None]
    clean = np.repeat(clean, 2, axis=1)
    damaged = clean.copy()
    r0, r1 = int(1.5 * rate), int(1.5 * rate) + int(0.004 * rate)
    damaged[r0:r1] = 0.9  # a 4 ms dropout-with-click
    damaged = damaged.astype(np.float32)
    events: list[JobEvent] = []
    result = inpaint(write_wav(damaged), r0 / rate, r1 / rate, tmp_path / "job", events)

    assert result.endpoint == "local/gap-repair"
    assert result.details["method"] == "autoregressive"
    out = sig.read_wav(result.files["inpainted"])
    assert out.shape == damaged.shape
    error = np.sqrt(np.mean((out[r0:r1] - clean[r0:r1]) ** 2)) / np.std(clean)
    assert error < 0.01
    np.testing.assert_array_equal(out[:r0], damaged[:r0])
    np.testing.assert_array_equal(out[r1:], damaged[r1:])
    logs = " ".join(e.message for e in events if e.state == "log")
    assert "cloud engine" in logs


def test_gap_at_the_start_is_predicted_from_one_side(sig, write_wav, tmp_path: Path) -> None:
    rate = sig.rate
    t = np.arange(rate) / rate
    clean = 0.5 * np.sin(2 * np.pi * 300 * t)[:, None]
    damaged = clean.copy()
    damaged[:96] = 0
    result = inpaint(write_wav(damaged), 0.0, 96 / rate, tmp_path / "job")
    out = sig.read_wav(result.files["inpainted"])
    assert np.abs(out[:96] - clean[:96]).max() < 0.01


def test_long_dropout_gets_matching_room_tone(sig, write_wav, tmp_path: Path) -> None:
    rate = sig.rate
    # Pink background for 12 s, a louder, brighter white-noise event at 1–3 s that must not be
    # chosen as "room tone", and a 1.3 s dropout at 6–7.3 s.
    background = 0.05 * sig.pink(12 * rate, 2, seed=4)
    background[rate : 3 * rate] += 0.3 * np.random.default_rng(5).standard_normal((2 * rate, 2))
    damaged = background.copy()
    r0, r1 = 6 * rate, int(7.3 * rate)
    damaged[r0:r1] = 0
    damaged = damaged.astype(np.float32)
    result = inpaint(write_wav(damaged), r0 / rate, r1 / rate, tmp_path / "job")

    details = result.details
    assert details["method"] == "room tone"
    a, b = details["copied_from_s"]
    assert b <= 6.0 or a >= 7.3
    assert b <= 1.0 or a >= 3.0
    out = sig.read_wav(result.files["inpainted"])
    filled = out[r0:r1, 0]
    level_db = 20 * np.log10(np.std(filled) / np.std(background[r0:r1, 0]))
    assert abs(level_db) < 1.5
    spectrum_db = band_levels_db(filled, rate) - band_levels_db(background[r0:r1, 0], rate)
    assert np.abs(spectrum_db).max() < 3.0
    cross = int(CROSSFADE_S * rate)
    np.testing.assert_array_equal(out[: r0 - cross], damaged[: r0 - cross])
    np.testing.assert_array_equal(out[r1 + cross :], damaged[r1 + cross :])
    # The joins are smooth in level: no dip or bump across the crossfades.
    steady = np.std(background[4 * rate :, 0])
    for edge in (r0, r1):
        around = out[edge - cross : edge + cross, 0]
        assert 0.6 < np.std(around) / steady < 1.4


def test_gap_longer_than_its_context_loops_the_stretch(sig, write_wav, tmp_path: Path) -> None:
    rate = sig.rate
    background = 0.05 * sig.pink(4 * rate, 1, seed=6)
    damaged = background.copy()
    r0, r1 = int(0.5 * rate), int(3.5 * rate)  # 3 s gap, 0.5 s of context either side
    damaged[r0:r1] = 0
    result = inpaint(write_wav(damaged), r0 / rate, r1 / rate, tmp_path / "job")
    assert result.details["loops"] >= 1
    out = sig.read_wav(result.files["inpainted"])
    level_db = 20 * np.log10(np.std(out[r0:r1]) / np.std(background))
    assert abs(level_db) < 1.5
    # Level stays even along the gap, loop joins included (100 ms windows).
    window = rate // 10
    levels = [np.std(out[i : i + window]) for i in range(r0, r1 - window, window)]
    assert max(levels) / min(levels) < 1.6


def test_burg_recovers_a_known_ar_model() -> None:
    rng = np.random.default_rng(0)
    a_true = np.array([1.0, -1.6, 0.8])
    x = lfilter([1.0], a_true, rng.standard_normal(20_000))
    np.testing.assert_allclose(burg(x, 2), a_true, atol=0.02)


def test_fill_gap_crossfades_two_predictions() -> None:
    t = np.arange(4000)
    x = np.sin(2 * np.pi * t / 50.0)[:, None]
    fill = fill_gap(x[:2000], x[2100:], 100, 16)
    assert np.abs(fill - x[2000:2100]).max() < 1e-6


def test_looped_stretch_and_equal_power_fades() -> None:
    fade_in, fade_out = equal_power(64)
    np.testing.assert_allclose(fade_in**2 + fade_out**2, 1.0)
    stretch = np.arange(100, dtype=float)[:, None]
    out = looped(stretch, 0, 300, 10)
    np.testing.assert_array_equal(out[:90, 0], np.arange(90))  # first pass untouched
    assert out.shape == (300, 1)
    with pytest.raises(AssertionError):
        np.testing.assert_array_equal(out[90:100, 0], np.arange(90, 100))  # joined, not cut


@pytest.mark.parametrize(("gap_ms", "method"), [(50, "autoregressive"), (60, "room tone")])
def test_method_switches_at_50_ms(sig, write_wav, tmp_path: Path, gap_ms: int, method: str):
    rate = sig.rate
    background = 0.05 * sig.pink(3 * rate, 1, seed=8)
    r0 = int(1.5 * rate)
    r1 = r0 + gap_ms * rate // 1000
    damaged = background.copy()
    damaged[r0:r1] = 0
    result = inpaint(write_wav(damaged), r0 / rate, r1 / rate, tmp_path / "job")
    assert result.details["method"] == method
    out = sig.read_wav(result.files["inpainted"])
    level_db = 20 * np.log10(np.std(out[r0:r1]) / np.std(background[r0:r1]))
    assert abs(level_db) < 3


@pytest.mark.parametrize("rate", [8_000, 192_000])
def test_click_repair_at_extreme_rates(write_wav, tmp_path: Path, rate: int) -> None:
    t = np.arange(2 * rate) / rate
    clean = (0.5 * np.sin(2 * np.pi * 330 * t))[:, None]
    damaged = clean.copy()
    r0, r1 = rate, rate + int(0.003 * rate)
    damaged[r0:r1] = -0.8
    result = inpaint(write_wav(damaged, rate=rate), r0 / rate, r1 / rate, tmp_path / "job")
    out, _ = sf.read(result.files["inpainted"], dtype="float32", always_2d=True)
    np.testing.assert_array_equal(out[:r0], damaged[:r0].astype(np.float32))
    np.testing.assert_array_equal(out[r1:], damaged[r1:].astype(np.float32))
    assert np.abs(out[r0:r1] - clean[r0:r1]).max() < 0.02
