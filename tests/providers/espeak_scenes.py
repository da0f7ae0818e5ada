"""Scenes for the speech path's guards, shared by their tests: espeak-ng sentences, competing
talkers, a background set to an SNR under a voice, and the separation pass run on a mixture with
the network as the speech estimator."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from isolde.dsp import deepfilter
from isolde.dsp.denoised_stream import DenoisedStream
from isolde.dsp.separation import estimate_profiles
from isolde.dsp.sources import ArraySource
from isolde.dsp.speech_mask import SpeechParams
from isolde.dsp.speech_separation import separate_speech, speech_grid
from isolde.dsp.wiener import WienerParams

needs_network = pytest.mark.skipif(
    not deepfilter.available(), reason=deepfilter.unavailable_reason()
)
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")
RATE = 48_000
SENTENCES = (
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Please call Stella and ask her to bring these things with her from the store.",
    "A large fawn jumped quickly over white zinc boxes on the shelf.",
)


def at_snr(background: np.ndarray, target: np.ndarray, snr_db: float) -> np.ndarray:
    """`background` scaled to `snr_db` under the target's active level, as long as the target."""
    active = np.mean(target[np.abs(target) > 1e-4] ** 2)
    scale = np.sqrt(active / np.mean(background**2)) * 10 ** (-snr_db / 20)
    return scale * np.resize(background, len(target))


def talkers(sig, voices: tuple[str, ...], length: int, stagger: int = 0) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The voices at once, dry, each saying SENTENCES in its own order, looped to `length`
    and started `stagger` samples after the one before."""
    out = np.zeros(length)
    for i, voice in enumerate(voices):
        said = np.concatenate(
            [sig.espeak(s, voice) for s in SENTENCES[i % 3 :] + SENTENCES[: i % 3]]
        )
        out += np.roll(np.resize(said, length), i * stagger)
    return out


def separate_with_network(
    mix: np.ndarray,
    spans: list[tuple[int, int]],
    params: SpeechParams,
    deaf: float = 0.0,
    deaf_mid: float = 0.0,
) -> np.ndarray:
    """The target of the speech path on a mono mixture, DeepFilterNet as the estimator."""
    source = ArraySource(mix[:, None], RATE)
    grid = speech_grid(RATE)
    profiles = estimate_profiles(source, grid, WienerParams(), spans, [], lambda n: None)
    targets: list[np.ndarray] = []
    with DenoisedStream(source, backend="deepfilter") as denoised:
        separate_speech(
            source, grid, params, profiles, spans, denoised,
            lambda t, r: targets.append(t), lambda n: None, deaf=deaf, deaf_mid=deaf_mid,
        )  # fmt: skip
    return np.concatenate(targets)[:, 0]
