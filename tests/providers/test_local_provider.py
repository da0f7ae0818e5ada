"""The `local` provider end to end through real files: separation, events, cancel, validation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from isolde.core.errors import Cancelled, ValidationError
from isolde.core.progress import CancelToken
from isolde.core.spans import InpaintRegion, Span
from isolde.dsp import deepfilter, rnnoise
from isolde.providers.base import JobEvent, Request, RequestKind
from isolde.providers.local import LocalProvider

needs_rnnoise = pytest.mark.skipif(not rnnoise.available(), reason="pyrnnoise is not installed")
# auto hears the voice and takes the network's speech path, or RNNoise's without the network.
AUTO_ENDPOINT = "local/neural-fusion" if deepfilter.available() else "local/speech-fusion"


def voice_and_noise(sig, seconds: float = 10.0, channels: int = 2):
    rate = sig.rate
    voice = sig.voice(seconds, rate, 1)
    voice[: 2 * rate] = 0
    noise = np.random.default_rng(2).standard_normal((len(voice), channels))
    noise *= np.sqrt(np.mean(voice[voice != 0] ** 2) / np.mean(noise**2))
    clean = voice[:, None] * np.linspace(1.0, 0.6, channels)
    return clean, clean + noise


@pytest.mark.parametrize(
    ("method", "endpoint"),
    [
        pytest.param("auto", AUTO_ENDPOINT, marks=needs_rnnoise),
        ("spectral", "local/spectral-wiener"),
    ],
)
def test_separates_a_file_into_target_and_residual(
    sig, write_wav, tmp_path: Path, method: str, endpoint: str
) -> None:
    clean, mix = voice_and_noise(sig)
    path = write_wav(mix)
    events: list[JobEvent] = []
    request = Request(
        RequestKind.SPANS,
        str(path),
        spans=(Span(0.0, 2.0, include=False),),
        options={"method": method},
    )
    result = LocalProvider().run(request, tmp_path / "job", on_event=events.append)

    # auto listens first: the voice-like tone is heard as speech, so it takes the speech path.
    assert result.endpoint == endpoint
    assert result.sample_rate == sig.rate
    assert set(result.files) == {"target", "residual"}
    target = sig.read_wav(result.files["target"])
    residual = sig.read_wav(result.files["residual"])
    assert target.shape == residual.shape == mix.shape
    assert np.abs(target.astype(np.float64) + residual - mix.astype(np.float32)).max() < 1e-6
    for c in range(2):
        assert sig.si_sdr(target[:, c], clean[:, c]) > sig.si_sdr(mix[:, c], clean[:, c]) + 6
    assert result.details["background_from"] == "exclude spans"

    fractions = [e.fraction for e in events if e.state == "running"]
    assert fractions and fractions == sorted(fractions)
    assert all(f is not None and 0 <= f <= 1 for f in fractions)
    assert events[-1].state == "done"


def test_mono_file_without_spans_logs_the_fallback(sig, write_wav, tmp_path: Path) -> None:
    _, mix = voice_and_noise(sig, 4.0, channels=1)
    events: list[JobEvent] = []
    request = Request(RequestKind.SPANS, str(write_wav(mix)))
    result = LocalProvider().run(request, tmp_path / "job", on_event=events.append)
    assert sig.read_wav(result.files["target"]).shape == mix.shape
    logs = [e.message for e in events if e.state == "log"]
    assert any("quietest" in m for m in logs)


def test_speech_prompt_maps_to_the_same_method(sig, write_wav, tmp_path: Path) -> None:
    clean, mix = voice_and_noise(sig, 6.0)
    events: list[JobEvent] = []
    request = Request(RequestKind.TEXT, str(write_wav(mix)), prompt="the man's Voice")
    result = LocalProvider().run(request, tmp_path / "job", on_event=events.append)
    assert "speech" in result.details["prompt_interpretation"]
    assert any(e.state == "log" and "voice" in e.message for e in events)
    target = sig.read_wav(result.files["target"])
    assert sig.si_sdr(target[:, 0], clean[:, 0]) > sig.si_sdr(mix[:, 0], clean[:, 0]) + 6


def test_other_prompts_need_exclude_spans(sig, write_wav, tmp_path: Path) -> None:
    _, mix = voice_and_noise(sig, 3.0)
    path = str(write_wav(mix))
    provider = LocalProvider()
    request = Request(RequestKind.TEXT, path, prompt="dog bark")
    with pytest.raises(ValidationError) as caught:
        provider.validate(request, 3.0)
    assert "prompt" in caught.value.problems
    assert "'dog bark'" in str(caught.value) and "exclude spans" in str(caught.value)
    with pytest.raises(ValidationError):
        provider.run(request, tmp_path / "job")
    assert not (tmp_path / "job" / "target.wav").exists()

    marked = Request(RequestKind.TEXT, path, prompt="dog bark", spans=(Span(0, 1.5, False),))
    provider.validate(marked, 3.0)  # with exclude spans it can go ahead


def test_validation_errors_name_the_field(sig, write_wav) -> None:
    path = str(write_wav(np.zeros((sig.rate, 1))))
    provider = LocalProvider()
    cases = {
        "region": Request(RequestKind.INPAINT, path, region=InpaintRegion(0.5, 1.5)),
        "option foo": Request(RequestKind.SPANS, path, options={"foo": 1}),
        "option reduction_db": Request(RequestKind.SPANS, path, options={"reduction_db": 3}),
        "kind": Request(RequestKind.VISUAL, path),
        "spans": Request(RequestKind.SPANS, path, spans=(Span(0.2, 1.2, False),)),
    }
    for field, request in cases.items():
        with pytest.raises(ValidationError) as caught:
            provider.validate(request, 1.0)
        assert field in caught.value.problems, (field, caught.value.problems)
    with pytest.raises(ValidationError) as caught:
        provider.validate(Request(RequestKind.INPAINT, path), 1.0)
    assert "region" in caught.value.problems
    with pytest.raises(ValidationError) as caught:  # nothing left to repair from
        provider.validate(Request(RequestKind.INPAINT, path, region=InpaintRegion(0.0, 0.99)), 1.0)
    assert "region" in caught.value.problems


def test_reduction_option_sets_the_floor(sig, write_wav, tmp_path: Path) -> None:
    noise = 0.1 * np.random.default_rng(3).standard_normal((2 * sig.rate, 1))
    request = Request(
        RequestKind.SPANS,
        str(write_wav(noise)),
        spans=(Span(0, 2, False),),
        options={"reduction_db": "12"},
    )
    result = LocalProvider().run(request, tmp_path / "job")
    target = sig.read_wav(result.files["target"])[sig.rate // 2 : -sig.rate // 2]
    level = 20 * np.log10(np.std(target) / np.std(noise))
    assert level == pytest.approx(-12, abs=0.1)
    assert result.details["reduction_db"] == 12.0


@pytest.mark.parametrize("kind", [RequestKind.SPANS, RequestKind.INPAINT])
def test_cancel_raises_and_leaves_no_files(sig, write_wav, tmp_path: Path, kind) -> None:
    _, mix = voice_and_noise(sig, 20.0)
    token = CancelToken()
    seen: list[JobEvent] = []

    def on_event(event: JobEvent) -> None:
        seen.append(event)
        if event.state == "running" and event.message in ("separating", "repairing"):
            token.cancel()  # while the output files are being written

    request = Request(kind, str(write_wav(mix)), region=InpaintRegion(10.0, 11.0))
    work = tmp_path / "job"
    with pytest.raises(Cancelled):
        LocalProvider().run(request, work, on_event=on_event, cancel=token)
    assert list(work.iterdir()) == []
    assert not any(e.state == "done" for e in seen)
