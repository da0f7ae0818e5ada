"""Make src/isolde/data/sample.flac (package data, see isolde.resources): synthetic speech
over room noise, for the editor's first run.

How it is made (so anyone can regenerate it): espeak-ng speaks three sentences (voices en-us
and en-gb, 150 words/min) at 48 kHz; they are placed with noise-only gaps (0–2.0, 6.8–10.4, 15.2–16.8
and 20.8–24 s), centred in a stereo field over decorrelated pink noise at about 6 dB SNR plus a
quiet 50 Hz hum with two harmonics. Fixed seed; 24 s, 48 kHz, stereo, 16-bit FLAC.

Run: .venv/bin/python scripts/make_sample.py   (needs espeak-ng: apt-get install espeak-ng)
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

RATE = 48_000
LENGTH_S = 24.0
LINES = [
    (2.0, "en-us", "Welcome to Isolde. Mark where the voice is, and where it is not."),
    (10.4, "en-gb", "The noise under this sentence can be taken away, or only turned down."),
    (16.8, "en-us", "Then listen to the target and the residual side by side."),
]


def speak(text: str, voice: str) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "line.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text], check=True)
        audio, rate = sf.read(wav, dtype="float64")
    return resample_poly(audio, RATE, rate)


def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[0] = 0
    noise = np.fft.irfft(spectrum, n)
    return noise / np.sqrt(np.mean(noise**2))


def main() -> None:
    rng = np.random.default_rng(20261121)
    n = int(LENGTH_S * RATE)
    voice = np.zeros(n)
    for start, v, text in LINES:
        line = speak(text, v)
        a = int(start * RATE)
        voice[a : a + len(line)] += line[: n - a]
    voice *= 0.25 / np.sqrt(np.mean(voice[voice != 0] ** 2))
    t = np.arange(n) / RATE
    hum = 0.004 * (
        np.sin(2 * np.pi * 50 * t)
        + 0.5 * np.sin(2 * np.pi * 100 * t)
        + 0.25 * np.sin(2 * np.pi * 150 * t)
    )
    bed = np.stack([pink(n, rng), pink(n, rng)], axis=1) * 0.25 * 10 ** (-6 / 20)
    mix = voice[:, None] + bed + hum[:, None]
    mix *= 0.7 / np.max(np.abs(mix))
    out = Path(__file__).resolve().parents[1] / "src" / "isolde" / "data" / "sample.flac"
    sf.write(out, mix.astype(np.float32), RATE, subtype="PCM_16")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
