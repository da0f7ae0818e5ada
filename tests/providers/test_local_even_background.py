"""The keep over an even background (steady_background.even_background): which backgrounds the
spans show never stand far out of their own profile — noise, reverberant babble — and which do
(dry talkers, drum hits, notes, a chord); and end to end, the high espeak-ng voice the network
takes for noise, over reverberant babble at 10 dB, is not made worse than its input."""

from __future__ import annotations

import numpy as np
import pytest
from espeak_scenes import (
    RATE,
    SENTENCES,
    at_snr,
    needs_espeak,
    needs_network,
    separate_with_network,
    talkers,
)
from scipy.signal import fftconvolve

from isolde.dsp import speech_separation
from isolde.dsp.sources import ArraySource
from isolde.dsp.speech_mask import SpeechParams
from isolde.dsp.speech_separation import span_frames, speech_grid
from isolde.dsp.steady_background import even_background

PARAMS = SpeechParams(floor=0.03, blend=True)
LENGTH = 12 * RATE
SPANS = [(0, int(1.9 * RATE)), (6 * RATE, 8 * RATE)]  # background alone, two stretches
TALKERS = ("en-gb+m3", "en-us+f4", "en-029+m1", "en-gb-scotland+f5", "de+m1", "fr+f2")


def _even(x: np.ndarray, spans: list[tuple[int, int]] = SPANS) -> float:
    grid = speech_grid(RATE)
    frames = span_frames(ArraySource(np.stack([x, x], axis=1), RATE), grid, spans)
    assert frames is not None
    return even_background(frames, RATE / grid.n_fft, PARAMS)


def _talkers(sig, count: int) -> np.ndarray:
    return talkers(sig, TALKERS[:count], LENGTH, stagger=7919)


def _room(x: np.ndarray, rt60_s: float = 0.6) -> np.ndarray:
    """`x` in a synthetic room: exponentially decaying noise after a direct sound."""
    rng = np.random.default_rng(1)
    t = np.arange(int(rt60_s * RATE)) / RATE
    response = rng.standard_normal(len(t)) * np.exp(-6.9 * t / rt60_s)
    response[0] = 3 * np.sqrt(np.sum(response**2))
    return fftconvolve(x, response)[: len(x)]


def test_noise_is_even_and_notes_a_chord_and_drum_hits_are_not(sig) -> None:
    assert _even(sig.pink(LENGTH)[:, 0]) == 1.0
    assert _even(sig.plucks(LENGTH)) == 0.0  # strong lines
    t = np.arange(LENGTH) / RATE
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6, 440.0))
    assert _even(chord) == 0.0  # held through both spans, but lines
    rng = np.random.default_rng(0)
    hits = 0.001 * rng.standard_normal(LENGTH)
    for at in rng.choice(LENGTH - RATE // 4, 10, replace=False):  # sparse, irregular hits
        hits[at : at + RATE // 8] += rng.standard_normal(RATE // 8) * np.exp(
            -np.arange(RATE // 8) / (0.02 * RATE)
        )
    assert _even(hits) == 0.0  # a hit stands far out of the other pieces' profile
    assert even_background(np.ones((3, 100)), 8.0, PARAMS) == 0.0  # too little to judge by


@needs_espeak
def test_reverberant_babble_is_even_and_dry_talkers_are_not(sig) -> None:
    assert _even(_room(_talkers(sig, 6))) == 1.0
    assert _even(_talkers(sig, 4)) == 0.0  # each talker's syllables stand out


def _separate(mix: np.ndarray) -> np.ndarray:
    return separate_with_network(mix, SPANS, PARAMS)


@needs_network
@needs_espeak
def test_a_voice_the_network_takes_for_noise_is_kept_over_babble(
    sig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """espeak-ng's Andrea over reverberant babble at 10 dB, the guard by hearing left out
    (`deaf` 0; on the benchmark's such item it measures 0.31 and stays off): the network passes
    little of her, but the spans show the babble never stands 10 dB out of its profile, so
    what does is kept. Without the keep she comes out about 4 dB worse than her input."""
    speech = np.zeros(LENGTH)
    for at, text in ((2.0, SENTENCES[1]), (8.2, "Bring a warm coat, the wind is fierce.")):
        said = sig.espeak(text, "en-us+Andrea")[: int(3.7 * RATE)]
        speech[int(at * RATE) : int(at * RATE) + len(said)] = said
    mix = speech + at_snr(_room(_talkers(sig, 6)), speech, 10)

    def gain(out: np.ndarray) -> float:
        return sig.si_sdr(out, speech) - sig.si_sdr(mix, speech)

    kept = gain(_separate(mix))
    monkeypatch.setattr(speech_separation, "even_background", lambda *a: 0.0)
    unkept = gain(_separate(mix))
    assert kept >= 0.0, (kept, unkept)
    assert kept > unkept + 2.0, (kept, unkept)
