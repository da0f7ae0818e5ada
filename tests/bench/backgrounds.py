"""Synthetic backgrounds for the offline-engine benchmark, 48 kHz mono float64, unscaled (the
mixture sets the level). Noise: pink, brown, mains hum. Music: a chord pad, a plucked arpeggio,
and two struck instruments with sharp onsets (piano-like notes, a drum kit). Babble: other voices
in a reverberant room. Nearly clean: faint hiss and a sub-sonic rumble.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.signal import butter, fftconvolve, sosfilt

RATE = 48_000
CHORDS = ((57, 60, 64), (53, 57, 60), (48, 52, 55), (55, 59, 62))  # Am F C G, MIDI notes


def _midi_hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


# -- noise ----------------------------------------------------------------------------------------
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


def rumble(n: int, rng: np.random.Generator) -> np.ndarray:
    """Sub-sonic rumble (≈3–20 Hz: building, traffic, handling), as an unfiltered recording
    keeps it; slowly wandering, nothing audible above 40 Hz."""
    low = butter(4, [3.0, 20.0], "bandpass", fs=RATE, output="sos")
    return sosfilt(low, rng.standard_normal(n))


# -- music ----------------------------------------------------------------------------------------
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
    for r in range(-(-n // period)):  # period by period, vectorised inside each
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


def _add(out: np.ndarray, at: int, sound: np.ndarray) -> None:
    stop = min(len(out), at + len(sound))
    if at < stop:
        out[at:stop] += sound[: stop - at]


def struck_note(f0: float, velocity: float, rng: np.random.Generator) -> np.ndarray:
    """A piano-like struck string: stretched (inharmonic) partials with a ~1 ms attack, faster
    decay for higher partials, and a short felt-hammer thump."""
    n = int(2.0 * RATE)
    t = np.arange(n) / RATE
    out = np.zeros(n)
    stretch = 4e-4  # string stiffness: partial k sits at k·f0·√(1 + B k²)
    for k in range(1, int(9000 // f0) + 1):
        fk = k * f0 * np.sqrt(1 + stretch * k * k)
        if fk > 12_000:
            break
        decay = 1.5 + 0.9 * k + fk / 1500  # 1/s
        amp = velocity ** (1 + 0.15 * k) / k
        out += amp * np.exp(-decay * t) * np.sin(2 * np.pi * fk * t + rng.uniform(0, 2 * np.pi))
    out *= np.clip(t / 0.001, 0, 1)  # 1 ms attack: the hammer
    thump = sosfilt(butter(2, [200, 3000], "bandpass", fs=RATE, output="sos"),
                    rng.standard_normal(int(0.008 * RATE)))  # fmt: skip
    out[: len(thump)] += 0.3 * velocity * thump * np.exp(-np.arange(len(thump)) / (0.002 * RATE))
    return out


def piano(n: int, rng: np.random.Generator, beat_s: float = 0.6) -> np.ndarray:
    """Struck piano-like notes: a bass note and a chord on the beat, melody notes on off-beats,
    uneven velocities — sharp onsets every few hundred ms."""
    out = np.zeros(n)
    for j, s0 in enumerate(range(0, n, round(beat_s * RATE))):
        chord = CHORDS[(j // 4) % len(CHORDS)]
        if j % 2 == 0:
            _add(out, s0, struck_note(_midi_hz(chord[0] - 12), rng.uniform(0.6, 0.9), rng))
            for note in chord:
                _add(out, s0, 0.6 * struck_note(_midi_hz(note), rng.uniform(0.4, 0.8), rng))
        melody = chord[rng.integers(3)] + 12 + rng.choice((0, 2, 12))
        off = s0 + round(beat_s * RATE * rng.choice((0.5, 0.75)))
        _add(out, off, struck_note(_midi_hz(melody), rng.uniform(0.5, 1.0), rng))
    return out


def _decaying(kind: str, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """One drum: kick (pitch-dropping sine + click), snare (tone + bright noise), hat (hiss)."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    if kind == "kick":
        f = 45 + 80 * np.exp(-t / 0.03)
        body = np.sin(2 * np.pi * np.cumsum(f) / RATE) * np.exp(-t / 0.12)
        click = rng.standard_normal(n) * np.exp(-t / 0.002)
        return body + 0.3 * click
    if kind == "snare":
        noise = sosfilt(butter(2, [1500, 8000], "bandpass", fs=RATE, output="sos"),
                        rng.standard_normal(n))  # fmt: skip
        tone = np.sin(2 * np.pi * 185 * t) * np.exp(-t / 0.04)
        return 0.8 * tone + 2.0 * noise * np.exp(-t / 0.07)
    noise = sosfilt(butter(4, 7000, "high", fs=RATE, output="sos"), rng.standard_normal(n))
    return 1.5 * noise * np.exp(-t / (0.03 if kind == "hat" else 0.25))


def drums(n: int, rng: np.random.Generator, step_s: float = 0.15) -> np.ndarray:
    """A drum kit at 100 bpm in sixteenths: kick, snare on the back beat, eighth-note hats, an
    open hat at the end of each bar; velocities vary, a little room on the whole kit."""
    out = np.zeros(n)
    kicks = {0, 6, 8, 11}
    for j, s0 in enumerate(range(0, n, round(step_s * RATE))):
        pos = j % 16
        vel = rng.uniform(0.7, 1.0)
        if pos in kicks:
            _add(out, s0, vel * _decaying("kick", 0.5, rng))
        if pos in (4, 12):
            _add(out, s0, vel * _decaying("snare", 0.4, rng))
        if pos == 14:
            _add(out, s0, 0.5 * vel * _decaying("open", 0.6, rng))
        elif pos % 2 == 0:
            _add(out, s0, 0.4 * vel * _decaying("hat", 0.15, rng))
    return out + 0.15 * reverberate(out, rng, rt60_s=0.4)[: len(out)]


# -- babble ---------------------------------------------------------------------------------------
def reverberate(x: np.ndarray, rng: np.random.Generator, rt60_s: float) -> np.ndarray:
    """x through a synthetic room: exponentially decaying noise (−60 dB at rt60_s), a direct
    path, high frequencies dying faster; same length as x plus the tail."""
    n = int(1.2 * rt60_s * RATE)
    t = np.arange(n) / RATE
    tail = rng.standard_normal(n) * np.exp(-6.91 * t / rt60_s)
    dull = sosfilt(butter(1, 3000, "low", fs=RATE, output="sos"), tail)
    ir = 0.5 * tail + 0.5 * dull * np.exp(-6.91 * t / rt60_s)  # air absorbs the top
    ir[: int(0.003 * RATE)] = 0  # first reflections a few ms after the direct sound
    ir /= np.sqrt(np.sum(ir**2))
    ir[0] = 0.7  # direct-to-reverberant ≈ −3 dB: talkers across a room
    return fftconvolve(x, ir)


def talker(n: int, sentences: Sequence[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """One talker speaking without stopping for long: sentences with 0.1–0.4 s gaps, looped,
    starting at a random point."""
    parts: list[np.ndarray] = []
    while sum(len(p) for p in parts) < 2 * n:
        for s in sentences:
            parts += [s, np.zeros(int(rng.uniform(0.1, 0.4) * RATE))]
    stream = np.concatenate(parts)
    start = int(rng.integers(0, len(stream) - n))
    return stream[start : start + n]


def babble(n: int, voices: Sequence[Sequence[np.ndarray]], rng: np.random.Generator) -> np.ndarray:
    """Several other talkers (each its own sentences) at levels within ±3 dB, summed and put in
    a reverberant room (RT60 0.5–0.8 s): a café or a crowded hall behind the target."""
    out = np.zeros(n)
    for sentences in voices:
        x = talker(n, sentences, rng)
        out += 10 ** (rng.uniform(-3, 3) / 20) * x / np.sqrt(np.mean(x**2))
    return reverberate(out, rng, rt60_s=rng.uniform(0.5, 0.8))[:n]
