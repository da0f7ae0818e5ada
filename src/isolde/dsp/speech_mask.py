"""One Wiener mask from two estimates: RNNoise's speech power and the span-guided background.

RNNoise knows what speech sounds like but works in 22 coarse bands, so between a voice's
harmonics its output still carries the background at the band's gain. The background estimate
knows, per fine bin, what the unwanted sound is. Fusing them: spread RNNoise's speech power,
band by band, over the bins where the mixture stands out of the background, then form the
Wiener gain S / (S + B) against the background.

Pure functions on power spectra, (frames, bins); the driver owns frames, files and chunking.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d

TINY = 1e-20


@dataclass(frozen=True)
class SpeechParams:
    """Tuned on the benchmark mixtures (tests/bench/bench_local_engine.py)."""

    floor: float  # gain floor, from the reduction amount
    window_s: float = 2.0  # width of the window that re-measures the background
    weight_power: float = 4.0  # a frame counts towards a bin's background by (1 - gain)^this
    prior_frames: float = 0.1  # the span estimate counts as this many frames of the window
    band_bins: int = 3  # bins over which RNNoise's power is spread (~23 Hz at any rate)
    stand_out: float = 2.0  # how far above the background a bin must be to receive speech


def background_weights(speech: np.ndarray, background: np.ndarray, power: float) -> np.ndarray:
    """How surely each bin holds no speech: (1 - S/(S+B))^power, from RNNoise and the prior."""
    gain = speech / (speech + background + TINY)
    return (1.0 - gain) ** power


def fused_speech_power(
    mixture: np.ndarray, speech: np.ndarray, background: np.ndarray, params: SpeechParams
) -> np.ndarray:
    """RNNoise's speech power redistributed over the bins where the mixture exceeds the
    background by `stand_out`, never above the mixture itself."""
    excess = np.maximum(mixture - params.stand_out * background, 0.0)
    band_speech = uniform_filter1d(speech, params.band_bins, axis=1)
    band_excess = uniform_filter1d(excess, params.band_bins, axis=1)
    return np.minimum(band_speech * excess / np.maximum(band_excess, TINY), mixture)


def speech_gains(
    mixture: np.ndarray, speech: np.ndarray, background: np.ndarray, params: SpeechParams
) -> np.ndarray:
    """Wiener gains in [floor, 1] for the speech in `mixture`, all (frames, bins) powers."""
    s = fused_speech_power(mixture, speech, background, params)
    return np.maximum(s / (s + background + TINY), params.floor)
