"""Benchmark mixtures for the offline engine: espeak-ng speech over synthetic backgrounds.

Every mixture is 48 kHz mono, built from a known clean speech track and a known background, so
SI-SDR can be measured against the truth. The layout leaves two speech-free stretches (the lead-in
and a long pause) that serve as the exclude spans a user would mark.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import butter, resample_poly, sosfilt

RATE = 48_000
NOISE_BACKGROUNDS = ("pink", "brown", "hum")
MUSIC_BACKGROUNDS = ("pad", "arpeggio")
BACKGROUNDS = NOISE_BACKGROUNDS + MUSIC_BACKGROUNDS
SNRS_DB = (0, 5, 10)

# (espeak-ng voice, words per minute, the sentences it says): men and women, two accents.
VOICES = (
    ("en-us", 165, (
        "The quick brown fox jumps over the lazy dog near the riverbank.",
        "Please call Stella and ask her to bring these things with her from the store.",
        "We will meet again tomorrow morning at the old station by the bridge.",
    )),
    ("en-gb+f3", 150, (
        "Six spoons of fresh snow peas, five thick slabs of blue cheese.",
        "The birch canoe slid on the smooth planks of the quiet harbour.",
        "Glue the sheet to the dark blue background before the paint dries.",
    )),
    ("en-us+m3", 175, (
        "It is easy to tell the depth of a well when you drop a stone into it.",
        "These days a chicken leg is a rare dish, served only on Sundays.",
        "Rice is often served in round bowls at the long wooden table.",
    )),
    ("en-gb-x-rp+f4", 160, (
        "The juice of lemons makes fine punch on a warm summer evening.",
        "The box was thrown beside the parked truck in the narrow lane.",
        "Four hours of steady work faced us when the storm finally passed.",
    )),
)  # fmt: skip

LEAD_S = 2.5  # background alone before the first sentence
SHORT_PAUSE_S = 0.6
LONG_PAUSE_S = 2.0  # the second speech-free stretch, between sentences two and three
TAIL_S = 1.0
MARGIN_S = 0.05  # exclude spans stop this far short of any speech


@dataclass(frozen=True)
class Mixture:
    name: str
    background_kind: str
    snr_db: float
    speech: np.ndarray  # clean speech, float64 (n,)
    background: np.ndarray  # scaled background, float64 (n,)
    exclude: tuple[tuple[float, float], ...]  # speech-free stretches, seconds

    @property
    def mix(self) -> np.ndarray:
        return self.speech + self.background

    def exclude_samples(self) -> list[tuple[int, int]]:
        return [(round(a * RATE), round(b * RATE)) for a, b in self.exclude]


def _trim(x: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    loud = np.flatnonzero(np.abs(x) > threshold * np.abs(x).max())
    return x[loud[0] : loud[-1] + 1] if len(loud) else x


@cache
def sentence(voice: str, wpm: int, text: str) -> np.ndarray:
    """One sentence from espeak-ng, trimmed of silence and resampled to 48 kHz."""
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not installed; the benchmark needs it for speech")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(path), text], check=True
        )
        data, rate = sf.read(path, dtype="float64")
    from math import gcd

    g = gcd(RATE, rate)
    return resample_poly(_trim(data), RATE // g, rate // g)


def speech_track(voice_index: int) -> tuple[np.ndarray, tuple[tuple[float, float], ...]]:
    """A voice's three sentences laid out with pauses; returns the track and the exclude spans."""
    voice, wpm, texts = VOICES[voice_index]
    parts = [sentence(voice, wpm, t) for t in texts]
    pauses = (LEAD_S, SHORT_PAUSE_S, LONG_PAUSE_S)
    layout: list[np.ndarray] = []
    spans: list[tuple[float, float]] = []
    t = 0.0
    for pause, part in zip(pauses, parts, strict=True):
        if pause >= 1.0:
            spans.append((t + MARGIN_S * (t > 0), t + pause - MARGIN_S))
        layout += [np.zeros(round(pause * RATE)), part]
        t += pause + len(part) / RATE
    layout.append(np.zeros(round(TAIL_S * RATE)))
    track = np.concatenate(layout)
    return 0.1 * track / np.sqrt(np.mean(track[track != 0] ** 2)), tuple(spans)


def active_power(speech: np.ndarray, frame: int = RATE // 50) -> float:
    """Mean power over 20 ms frames within 40 dB of the loudest: speech level while speaking."""
    n = len(speech) // frame * frame
    powers = (speech[:n].reshape(-1, frame) ** 2).mean(axis=1)
    return float(powers[powers > powers.max() * 1e-4].mean())


# -- backgrounds ----------------------------------------------------------------------------------
def coloured_noise(n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Noise with power ∝ 1/f^exponent (pink 1, brown 2), shaped in the frequency domain."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    spec *= 1.0 / np.maximum(f, 20.0) ** (exponent / 2)
    return np.fft.irfft(spec, n)


def hum(n: int, rng: np.random.Generator) -> np.ndarray:
    """Mains hum with harmonics: a 50 or 60 Hz buzz (odd harmonics stronger) to ~3 kHz."""
    base = 50.0 if rng.integers(2) == 0 else 60.0
    t = np.arange(n) / RATE
    out = np.zeros(n)
    for k in range(1, int(3000 // base) + 1):
        amp = (1.0 if k % 2 else 0.4) / k**0.8
        out += amp * np.sin(2 * np.pi * k * base * t + rng.uniform(0, 2 * np.pi))
    return out + 0.003 * rng.standard_normal(n)  # a faint electrical hiss under it


CHORDS = ((57, 60, 64), (53, 57, 60), (48, 52, 55), (55, 59, 62))  # Am F C G, MIDI notes


def _midi_hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def pad(n: int, rng: np.random.Generator, chord_s: float = 2.0) -> np.ndarray:
    """A synthetic chord pad: detuned saw-like voices, one chord every `chord_s`, crossfaded."""
    t = np.arange(n) / RATE
    out = np.zeros(n)
    fade = 0.3
    for i in range(int(np.ceil(n / RATE / chord_s)) + 1):
        t0 = i * chord_s
        rise = np.clip((t - t0 + fade) / fade, 0, 1)
        env = rise * np.clip((t0 + chord_s + fade - t) / fade, 0, 1)
        live = env > 0
        if not live.any():
            continue
        for note in CHORDS[i % len(CHORDS)] + (CHORDS[i % len(CHORDS)][0] - 12,):
            for detune in (-0.08, 0.08):
                f = _midi_hz(note + detune)
                for k in range(1, int(4000 // f) + 1):
                    phase = rng.uniform(0, 2 * np.pi)
                    out[live] += env[live] * np.sin(2 * np.pi * k * f * t[live] + phase) / k**1.3
    sos = butter(2, 2500, "low", fs=RATE, output="sos")
    return sosfilt(sos, out)


def pluck(f: float, n: int, rng: np.random.Generator, decay: float = 0.996) -> np.ndarray:
    """Karplus–Strong plucked string: a noise burst through a damped delay line."""
    period = max(2, round(RATE / f))
    out = np.zeros(n)
    buf = rng.uniform(-1, 1, period)
    reps = -(-n // period)
    # Run the string period by period (vectorised inside each period).
    for r in range(reps):
        seg = buf.copy()
        out[r * period : min(n, (r + 1) * period)] = seg[: min(period, n - r * period)]
        buf = decay * 0.5 * (seg + np.roll(seg, -1))
    return out


def arpeggio(n: int, rng: np.random.Generator, note_s: float = 0.125) -> np.ndarray:
    """A plucked arpeggio over the same chords: eighth notes up and down two octaves."""
    out = np.zeros(n)
    ring = int(1.2 * RATE)
    step = round(note_s * RATE)
    pattern = (0, 1, 2, 3, 4, 3, 2, 1)
    for j, s0 in enumerate(range(0, n, step)):
        chord = CHORDS[(j // 16) % len(CHORDS)]
        notes = (*chord, chord[0] + 12, chord[1] + 12)
        tone = pluck(_midi_hz(notes[pattern[j % 8]]), ring, rng)
        stop = min(n, s0 + ring)
        out[s0:stop] += tone[: stop - s0]
    return out


def background(kind: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "pink":
        return coloured_noise(n, 1.0, rng)
    if kind == "brown":
        return coloured_noise(n, 2.0, rng)
    if kind == "hum":
        return hum(n, rng)
    if kind == "pad":
        return pad(n, rng)
    if kind == "arpeggio":
        return arpeggio(n, rng)
    raise ValueError(f"unknown background {kind!r}")


def mixture(voice_index: int, kind: str, snr_db: float) -> Mixture:
    speech, exclude = speech_track(voice_index)
    seed = 100 * voice_index + BACKGROUNDS.index(kind)
    bg = background(kind, len(speech), seed)
    bg *= np.sqrt(active_power(speech) / np.mean(bg**2) / 10 ** (snr_db / 10))
    name = f"{VOICES[voice_index][0]}/{kind}/{snr_db:g}dB"
    return Mixture(name, kind, snr_db, speech, bg, exclude)


def all_mixtures(voices: int = len(VOICES)) -> list[Mixture]:
    return [mixture(v, kind, snr) for kind in BACKGROUNDS for snr in SNRS_DB for v in range(voices)]


def si_sdr(estimate: np.ndarray, reference: np.ndarray) -> float:
    """Scale-invariant signal-to-distortion ratio, dB."""
    scale = estimate @ reference / (reference @ reference)
    target = scale * reference
    return float(10 * np.log10(np.sum(target**2) / max(np.sum((estimate - target) ** 2), 1e-30)))
