"""Synthetic signals and file helpers for the offline engine's tests (all made in numpy)."""

from __future__ import annotations

import math
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import lfilter, resample_poly

from fakecloud import FakeCloud
from fakecloud.testing import fast, noise, start_cloud
from fakecloud.testing import write_wav as fake_wav
from isolde.providers.fal import FalProvider

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


VOWELS = ((730, 1090, 2440), (270, 2290, 3010), (300, 870, 2240), (530, 1840, 2480))


def _resonate(x: np.ndarray, freq: float, bandwidth: float, rate: int) -> np.ndarray:
    r = np.exp(-np.pi * bandwidth / rate)
    theta = 2 * np.pi * freq / rate
    return lfilter([1 - r], [1, -2 * r * np.cos(theta), r * r], x)


def speechlike(seconds: float, rate: int = RATE, seed: int = 0) -> np.ndarray:
    """Syllables of a pulse train (100–180 Hz, gliding) through three vowel formants, with
    consonant-like noise bursts and pauses: close enough to speech that RNNoise keeps it (the
    steady `harmonic_voice` it takes for a tone and removes)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    out = np.zeros(n)
    t = 0
    while t < n:
        length = int(rate * rng.uniform(0.12, 0.25))
        f0 = rng.uniform(100, 180)
        phase = np.cumsum(np.linspace(f0, f0 * rng.uniform(0.85, 1.15), length) / rate)
        y = lfilter([1.0], [1.0, -0.95], np.diff(np.floor(phase), prepend=0.0))
        for freq, bandwidth in zip(VOWELS[rng.integers(len(VOWELS))], (80, 100, 120), strict=True):
            y = _resonate(y, freq, bandwidth, rate)
        y *= np.sin(np.pi * np.arange(length) / length) ** 0.7
        y /= np.sqrt(np.mean(y**2)) + 1e-12
        stop = min(n, t + length)
        out[t:stop] += y[: stop - t]
        t = stop
        if rng.uniform() < 0.5:  # a consonant
            k = int(rate * rng.uniform(0.03, 0.08))
            burst = 0.4 * lfilter([1, -0.9], [1], rng.standard_normal(k))
            out[t : t + k] += burst[: len(out[t : t + k])]
            t += k
        t += int(rate * rng.uniform(0.0, 0.06))
    return 0.1 * out / np.sqrt(np.mean(out**2))


def plucked_arpeggio(frames: int, rate: int = RATE, seed: int = 0) -> np.ndarray:
    """Karplus–Strong plucks, eighth notes at 120 bpm over A minor and F: a music bed."""
    rng = np.random.default_rng(seed)
    out = np.zeros(frames)
    ring, step = int(1.0 * rate), int(0.125 * rate)
    notes = ((220.0, 261.6, 329.6, 440.0), (174.6, 220.0, 261.6, 349.2))
    for j, start in enumerate(range(0, frames, step)):
        period = round(rate / notes[(j // 16) % 2][j % 4])
        buf, tone = rng.uniform(-1, 1, period), np.zeros(ring + period)
        for r in range(0, ring, period):
            tone[r : r + period] = buf
            buf = 0.498 * (buf + np.roll(buf, -1))
        stop = min(frames, start + ring)
        out[start:stop] += tone[: stop - start]
    return out


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


def espeak(text: str, voice: str, rate: int = RATE) -> np.ndarray:
    """One sentence from espeak-ng (which must be on the PATH) at `rate`, float64 mono."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True)
        data, native = sf.read(path, dtype="float64")
    g = math.gcd(rate, native)
    return resample_poly(data, rate // g, native // g)


@dataclass(frozen=True)
class Signals:
    """The helpers above, handed to tests as a fixture (conftest modules are not importable
    by name when several test folders have one)."""

    rate: int = RATE
    voice: Callable[..., np.ndarray] = harmonic_voice
    speech: Callable[..., np.ndarray] = speechlike
    plucks: Callable[..., np.ndarray] = plucked_arpeggio
    pink: Callable[..., np.ndarray] = pink_noise
    si_sdr: Callable[[np.ndarray, np.ndarray], float] = si_sdr
    read_wav: Callable[[Path], np.ndarray] = read_wav
    espeak: Callable[..., np.ndarray] = espeak


@pytest.fixture
def sig() -> Signals:
    return Signals()


# -- the fake cloud, for the cloud engines' tests -----------------------------------------------
@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCloud]:
    c = start_cloud(monkeypatch)
    yield c
    c.stop()


@pytest.fixture
def fal(cloud: FakeCloud) -> FalProvider:
    return fast(FalProvider())


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    """A 3 s mono input (the AudioLasso tests have their own stereo one)."""
    return fake_wav(tmp_path / "in.wav", noise(3.0))
