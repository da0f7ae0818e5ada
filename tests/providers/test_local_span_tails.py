"""The fading tail of a sound at the start of an exclude span is left out of the background:
which starts count as a tail, and a reverberant nearly clean voice kept whole end to end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.signal import fftconvolve

from isolde.core.spans import Span
from isolde.dsp.sources import ArraySource
from isolde.dsp.span_tails import tail_length, without_tails
from isolde.jobs.result_check import check_result
from isolde.providers.base import Request, RequestKind
from isolde.providers.local import LocalProvider, separation_job

RATE = 48_000


def room(x: np.ndarray, rt60_s: float, seed: int = 0) -> np.ndarray:
    """x in a room: a direct path and exponentially decaying noise (-60 dB at rt60_s)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(1.2 * rt60_s * RATE)) / RATE
    ir = rng.standard_normal(len(t)) * np.exp(-6.91 * t / rt60_s)
    ir[: int(0.003 * RATE)] = 0
    ir /= np.sqrt(np.sum(ir**2))
    ir[0] = 1.0
    return fftconvolve(x, ir)[: len(x)]


def voice_then_pause(sig, rt60_s: float) -> tuple[np.ndarray, float]:
    """(a reverberant voice: 2 s quiet, 3 s of speech, a 2 s pause, 3 s more; where the first
    stretch of speech stops)."""
    speech = np.concatenate(
        [np.zeros(2 * RATE), sig.speech(3.0, RATE, 1), np.zeros(2 * RATE), sig.speech(3.0, RATE, 2)]
    )
    last = np.flatnonzero(np.abs(speech[: 5 * RATE]) > 1e-4)[-1]
    return room(speech, rt60_s), last / RATE


def test_the_tail_of_a_reverberant_voice_is_cut_from_the_span(sig) -> None:
    voice, end = voice_then_pause(sig, 0.5)
    noise = 1e-4 * sig.pink(len(voice), 1, 3)[:, 0]
    source = ArraySource(voice + noise, RATE)
    a, b = int((end + 0.05) * RATE), int((end + 1.9) * RATE)
    tail = tail_length(source, a, b) / RATE
    # -60 dB in 0.5 s: from well above the noise to within 3 dB of it in a few hundred ms.
    assert 0.1 < tail < 0.6
    kept, cut = without_tails(source, [(0, int(1.9 * RATE)), (a, b)])
    assert kept == [(0, int(1.9 * RATE)), (a + cut[0][1] - cut[0][0], b)]
    assert cut == [(a, a + round(tail * RATE))]


def test_spans_that_start_on_a_sound_or_in_steady_noise_are_left_whole(sig) -> None:
    rng = np.random.default_rng(4)
    noise = 1e-3 * sig.pink(8 * RATE, 1, 5)[:, 0]
    # A knock that starts where the span does: quiet before it, so not a tail.
    knock = np.zeros(8 * RATE)
    t = np.arange(int(0.3 * RATE)) / RATE
    knock[3 * RATE : 3 * RATE + len(t)] = 0.3 * rng.standard_normal(len(t)) * np.exp(-t / 0.05)
    source = ArraySource(noise + knock, RATE)
    assert tail_length(source, 3 * RATE, 5 * RATE) == 0
    # Steady noise after a dry voice: nothing decays.
    dry = np.concatenate([sig.speech(2.0, RATE, 1), np.zeros(4 * RATE)])
    last = np.flatnonzero(np.abs(dry) > 1e-4)[-1]
    source = ArraySource(dry + noise[: len(dry)], RATE)
    assert tail_length(source, last + RATE // 20, len(dry)) == 0
    # A span at the start of the file has nothing before it.
    voice, _ = voice_then_pause(sig, 0.5)
    assert tail_length(ArraySource(voice, RATE), 0, RATE) == 0


@pytest.mark.parametrize("rt60_s", [0.4, 0.6])
def test_a_reverberant_nearly_clean_voice_is_not_made_worse(
    sig, write_wav, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rt60_s: float
) -> None:
    voice, end = voice_then_pause(sig, rt60_s)
    level = np.mean(voice[2 * RATE : 5 * RATE] ** 2)
    noise = sig.pink(len(voice), 1, 7)[:, 0]
    noise *= np.sqrt(level / np.mean(noise**2) / 1e4)  # 40 dB under the voice
    mix = voice + noise
    spans = (Span(0.0, 1.9, include=False), Span(end + 0.05, end + 1.9, include=False))
    request = Request(RequestKind.SPANS, str(write_wav(mix[:, None])), spans=spans)
    result = LocalProvider().run(request, tmp_path / "job")
    target = sig.read_wav(result.files["target"])[:, 0].astype(np.float64)
    before = sig.si_sdr(mix, voice)
    assert sig.si_sdr(target, voice) > before - 0.5
    ((start, stop),) = result.details["exclude_tails_left_out_s"]
    assert start == pytest.approx(end + 0.05, abs=0.01) and 0.1 < stop - start < 1.5
    # The result check does not call the echo the engine kept a leak into the span.
    checks = check_result(result.files, request, request.media_path, result.details)
    assert checks["problems"] == []
    # The same spans taken whole, as before: the voice's own tail is taken for background.
    monkeypatch.setattr(separation_job, "without_tails", lambda source, ranges: (ranges, []))
    whole = LocalProvider().run(request, tmp_path / "whole")
    damaged = sig.read_wav(whole.files["target"])[:, 0].astype(np.float64)
    assert sig.si_sdr(damaged, voice) < sig.si_sdr(target, voice) - 1.0
