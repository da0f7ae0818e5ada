"""Text prompts offline: what maps to speech, to the hum path or to nothing; the hum path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from isolde.core.errors import InputError, ValidationError
from isolde.core.spans import Span
from isolde.dsp.hum import detect_hum, hum_grid, sample_frames
from isolde.dsp.sources import ArraySource
from isolde.providers.base import Request, RequestKind
from isolde.providers.local import LocalProvider, prompts


def mains_hum(frames: int, rate: int, base: float = 60.0) -> np.ndarray:
    t = np.arange(frames) / rate
    rng = np.random.default_rng(int(base))
    return sum(
        (1.0 if k % 2 else 0.4) / k * np.sin(2 * np.pi * k * base * t + rng.uniform(0, 6))
        for k in range(1, 40)
    )


@pytest.mark.parametrize(
    ("prompt", "path"),
    [
        ("the woman's voice", "speech"),
        ("Dialogue", "speech"),
        ("the hum", "hum"),
        ("60Hz buzz", "hum"),
        ("the voice over the hum", "speech"),
        ("someone humming a tune", None),  # a person humming is not the mains
        ("a dog barking", None),
    ],
)
def test_prompt_reading(prompt: str, path: str | None) -> None:
    assert prompts.read_prompt(prompt).path == path


def test_unmapped_prompts_say_open_vocabulary_is_out_of_reach(write_wav) -> None:
    path = str(write_wav(np.zeros((48_000, 1))))
    with pytest.raises(ValidationError) as caught:
        LocalProvider().validate(Request(RequestKind.TEXT, path, prompt="a dog barking"), 1.0)
    message = caught.value.problems["prompt"]
    assert "cloud engine" in message and "exclude spans" in message and "hum" in message


@pytest.mark.parametrize("base", [50.0, 60.0])
def test_hum_is_found_with_its_fundamental(sig, base: float) -> None:
    rate = 44_100
    speech = sig.speech(6.0, rate, 1)
    mix = speech + 0.05 * mains_hum(len(speech), rate, base)
    grid = hum_grid(rate)
    profile = detect_hum(sample_frames(ArraySource(mix, rate), grid), grid, rate)
    assert profile is not None
    assert profile.fundamental == pytest.approx(base, abs=0.05)
    assert {1, 2, 3} <= set(profile.harmonics)


@pytest.mark.parametrize("kind", ["noise", "chords", "speech"])
def test_no_hum_is_found_where_there_is_none(sig, kind: str) -> None:
    rate = 48_000
    if kind == "noise":
        x = sig.pink(6 * rate)[:, 0]
    elif kind == "chords":
        x = sig.plucks(6 * rate, rate, 2)
    else:
        x = sig.speech(6.0, rate, 2)
    grid = hum_grid(rate)
    assert detect_hum(sample_frames(ArraySource(x, rate), grid), grid, rate) is None


def test_hum_prompt_makes_the_hum_the_target(sig, write_wav, tmp_path: Path) -> None:
    rate = sig.rate
    speech = sig.speech(6.0, rate, 3)
    hum = 0.1 * mains_hum(len(speech), rate, 50.0)
    mix = np.stack([speech + hum, 0.8 * speech + hum], axis=1)
    request = Request(RequestKind.TEXT, str(write_wav(mix)), prompt="remove the mains hum")
    result = LocalProvider().run(request, tmp_path / "job")
    assert result.endpoint == "local/hum"
    assert result.details["hum_hz"] == pytest.approx(50.0, abs=0.05)
    target = sig.read_wav(result.files["target"])
    residual = sig.read_wav(result.files["residual"])
    np.testing.assert_allclose(
        target.astype(np.float64) + residual, mix.astype(np.float32), atol=2e-7
    )
    # The lines are followed in the waveform: 24.0 dB and +26.4 dB here (a mask on ~3 Hz bins
    # gave 14.3 and +14.5).
    assert sig.si_sdr(target[:, 0], hum) > 20  # the target is the hum
    assert sig.si_sdr(residual[:, 0], speech) > sig.si_sdr(mix[:, 0], speech) + 22


def test_hum_prompt_without_hum_says_so(sig, write_wav, tmp_path: Path) -> None:
    path = write_wav(sig.speech(3.0, sig.rate, 4)[:, None])
    request = Request(RequestKind.TEXT, str(path), prompt="hum", spans=(Span(0, 1, False),))
    with pytest.raises(InputError, match="no mains hum found"):
        LocalProvider().run(request, tmp_path / "job")
    assert list((tmp_path / "job").iterdir()) == []
