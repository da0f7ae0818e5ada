"""Synthetic signals and file helpers for the offline engine's tests (all made in numpy)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import lfilter

RATE = 48_000


def harmonic_voice(seconds: float, rate: int = RATE, seed: int = 0) -> np.ndarray:
    """A voice-like tone: gliding 120–160 Hz pitch, 11 harmonics, syllable-rate amplitude."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    f0 = 140 + 20 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    tone = sum(np.sin(k * phase + rng.uniform(0, 6)) / k for k in range(1, 12))
    syllables = np.clip(np.sin(2 * np.pi * 3.0 * t), 0, None) ** 0.5
    return 0.3 * tone * syllables


def pink_noise(frames: int, channels: int = 1, seed: int = 1) -> np.ndarray:
    """Roughly 1/f noise (Voss–Kellet-style IIR approximation), unit-ish level, (n, ch)."""
    white = np.random.default_rng(seed).standard_normal((frames, channels))
    b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
    a = [1, -2.494956002, 2.017265875, -0.522189400]
    return lfilter(b, a, white, axis=0) * 10


def si_sdr(estimate: np.ndarray, reference: np.ndarray) -> float:
    """Scale-invariant signal-to-distortion ratio in dB (1-D signals)."""
    estimate = np.asarray(estimate, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    scale = estimate @ reference / (reference @ reference)
    target = scale * reference
    return float(10 * np.log10(np.sum(target**2) / np.sum((estimate - target) ** 2)))


@pytest.fixture
def write_wav(tmp_path: Path) -> Callable[..., Path]:
    def write(samples: np.ndarray, name: str = "input.wav", rate: int = RATE) -> Path:
        path = tmp_path / name
        sf.write(path, np.asarray(samples, dtype=np.float32), rate, subtype="FLOAT")
        return path

    return write


def read_wav(path: Path) -> np.ndarray:
    data, _ = sf.read(path, dtype="float32", always_2d=True)
    return data


@dataclass(frozen=True)
class Signals:
    """The helpers above, handed to tests as a fixture (conftest modules are not importable
    by name when several test folders have one)."""

    rate: int = RATE
    voice: Callable[..., np.ndarray] = harmonic_voice
    pink: Callable[..., np.ndarray] = pink_noise
    si_sdr: Callable[[np.ndarray, np.ndarray], float] = si_sdr
    read_wav: Callable[[Path], np.ndarray] = read_wav


@pytest.fixture
def sig() -> Signals:
    return Signals()
