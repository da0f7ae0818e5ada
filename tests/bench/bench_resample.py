"""Resampler benchmark (run on purpose; see tests/bench/README.md):

    .venv/bin/python tests/bench/bench_resample.py [--json] [--seconds 60]

Compares the hand-written polyphase resampler isolde used before (tests/bench/hand_resampler.py)
with libsoxr through python-soxr at "HQ" (what isolde.audio.resampling uses) and "VHQ". Every
figure is taken through the streaming path (4096-frame blocks, then flush) at five rate pairs:

- err max / err rms: a sum of 40 sines (random frequencies up to 0.85 of the lower Nyquist, total
  amplitude 0.9) against the same sines computed exactly at the output rate; dB full scale, the
  first and last 0.1 s left out (zero padding there is expected).
- ripple: gain of single sines from 1 % to 90 % of the lower Nyquist (least-squares fit of the
  exact sine at the output rate), max − min in dB; "@0.95" is the gain at 95 % of it.
- spur: the worst residual after that fit, for sines up to 90 %: images, aliases and filter noise
  left beside the tone, dB below the tone.
- alias: when going down, the worst output level for input sines from 1.0× (and from 1.1×) the
  output Nyquist up to 98 % of the input Nyquist, dB relative to the input's level.
- speed: seconds of stereo audio converted per CPU second (the fastest of 5 runs, candidates
  taking turns), random noise in 65 536-frame blocks (as transcode and render feed it) and in
  0.25 s blocks (the denoiser's).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol

import hand_resampler  # beside this file: run as a script, its folder is on sys.path
import numpy as np

from isolde.audio import resampling

PAIRS = [(44100, 48000), (48000, 44100), (48000, 16000), (16000, 48000), (22050, 16000)]
EDGE_S = 0.1


class Streaming(Protocol):
    def process(self, block: np.ndarray) -> np.ndarray: ...
    def flush(self) -> np.ndarray: ...


Factory = Callable[[int, int, int], Streaming]
CANDIDATES: dict[str, Factory] = {
    "hand polyphase": hand_resampler.Resampler,
    "soxr HQ (isolde)": lambda a, b, c: resampling.Resampler(a, b, c, quality="HQ"),
    "soxr VHQ": lambda a, b, c: resampling.Resampler(a, b, c, quality="VHQ"),
}


def stream(factory: Factory, x: np.ndarray, rate_in: int, rate_out: int, block: int) -> np.ndarray:
    r = factory(rate_in, rate_out, x.shape[1])
    parts = [r.process(x[i : i + block]) for i in range(0, len(x), block)]
    parts.append(r.flush())
    y = np.concatenate(parts)
    expected = -(-len(x) * rate_out // rate_in)
    if y.shape != (expected, x.shape[1]):
        raise SystemExit(f"length {y.shape} ≠ ({expected}, {x.shape[1]}) at {rate_in}→{rate_out}")
    return y.astype(np.float64)


def sines(freqs: np.ndarray, phases: np.ndarray, rate: int, n: int) -> np.ndarray:
    """One exact sine per column, sampled at `rate` (float64, computed analytically)."""
    t = np.arange(n)[:, None] / rate
    return np.sin(2 * np.pi * freqs[None, :] * t + phases[None, :])


def db(x: float) -> float:
    return float(20 * np.log10(max(x, 1e-15)))


def multitone_error(factory: Factory, rate_in: int, rate_out: int) -> tuple[float, float]:
    rng = np.random.default_rng(rate_in * 7 + rate_out)
    nyq = min(rate_in, rate_out) / 2
    freqs, phases = rng.uniform(20, 0.85 * nyq, 40), rng.uniform(0, 2 * np.pi, 40)
    amp = 0.9 / len(freqs)
    x = (amp * sines(freqs, phases, rate_in, 2 * rate_in)).sum(axis=1, keepdims=True)
    y = stream(factory, x.astype(np.float32), rate_in, rate_out, 4096)[:, 0]
    ref = (amp * sines(freqs, phases, rate_out, len(y))).sum(axis=1)
    edge = int(EDGE_S * rate_out)
    err = (y - ref)[edge:-edge]
    return db(np.abs(err).max()), db(np.sqrt(np.mean(err**2)))


def fit_sines(y: np.ndarray, freqs: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Per column: the gain of the sine at freqs[i] in y[:, i] and the RMS left beside it."""
    t = np.arange(len(y)) / rate
    gains, rests = np.empty(len(freqs)), np.empty(len(freqs))
    for i, f in enumerate(freqs):
        basis = np.stack([np.sin(2 * np.pi * f * t), np.cos(2 * np.pi * f * t)], axis=1)
        coef, *_ = np.linalg.lstsq(basis, y[:, i], rcond=None)
        gains[i] = np.hypot(*coef)
        rests[i] = np.sqrt(np.mean((y[:, i] - basis @ coef) ** 2))
    return gains, rests


def response(factory: Factory, rate_in: int, rate_out: int) -> dict[str, float]:
    nyq = min(rate_in, rate_out) / 2
    freqs = np.append(np.linspace(0.01, 0.9, 60) * nyq, 0.95 * nyq)
    x = sines(freqs, np.zeros(len(freqs)), rate_in, rate_in // 2)
    y = stream(factory, x.astype(np.float32), rate_in, rate_out, 4096)
    edge = int(EDGE_S * rate_out)
    gains, rests = fit_sines(y[edge:-edge], freqs, rate_out)
    gains_db = 20 * np.log10(gains)
    figures = {
        "ripple_db": float(gains_db[:-1].max() - gains_db[:-1].min()),
        "gain_095_db": float(gains_db[-1]),
        "spur_db": db(float((rests[:-1] / (gains[:-1] / np.sqrt(2))).max())),
    }
    if rate_out < rate_in:
        out_nyq, in_nyq = rate_out / 2, rate_in / 2
        for key, lo in (("alias_1_0_db", 1.0), ("alias_1_1_db", 1.1)):
            if lo * out_nyq >= 0.98 * in_nyq:
                continue
            bad = np.linspace(lo * out_nyq, 0.98 * in_nyq, 48)
            tones = sines(bad, np.zeros(48), rate_in, rate_in // 2).astype(np.float32)
            z = stream(factory, tones, rate_in, rate_out, 4096)
            level = np.sqrt(np.mean(z[edge:-edge] ** 2, axis=0)) * np.sqrt(2)
            figures[key] = db(float(level.max()))
    return figures


def speeds(rate_in: int, rate_out: int, seconds: float, block: int) -> dict[str, float]:
    """Seconds of audio per CPU second for every candidate, each keeping its fastest of 5.

    CPU time of this process, and candidates taking turns, so that other work on the machine
    skews the comparison as little as it can.
    """
    x = np.random.default_rng(0).standard_normal((int(seconds * rate_in), 2)).astype(np.float32)
    x *= 0.25
    best = dict.fromkeys(CANDIDATES, float("inf"))
    for _ in range(5):
        for name, factory in CANDIDATES.items():
            start = time.process_time()
            stream(factory, x, rate_in, rate_out, block)
            best[name] = min(best[name], time.process_time() - start)
    return {name: seconds / t for name, t in best.items()}


def measure(seconds: float) -> dict[str, Any]:
    results: dict[str, Any] = {name: {} for name in CANDIDATES}
    for rate_in, rate_out in PAIRS:
        pair = f"{rate_in}->{rate_out}"
        fast = speeds(rate_in, rate_out, seconds, 1 << 16)
        small = speeds(rate_in, rate_out, seconds, rate_in // 4)
        for name, factory in CANDIDATES.items():
            err_max, err_rms = multitone_error(factory, rate_in, rate_out)
            results[name][pair] = {
                "err_max_dbfs": err_max,
                "err_rms_dbfs": err_rms,
                **response(factory, rate_in, rate_out),
                "speed_x_64k": fast[name],
                "speed_x_250ms": small[name],
            }
    return results


COLUMNS = [
    ("err_max_dbfs", "err max"),
    ("err_rms_dbfs", "err rms"),
    ("ripple_db", "ripple"),
    ("gain_095_db", "@0.95"),
    ("spur_db", "spur"),
    ("alias_1_0_db", "alias≥1.0"),
    ("alias_1_1_db", "alias≥1.1"),
    ("speed_x_64k", "×rt 64k"),
    ("speed_x_250ms", "×rt .25s"),
]
DECIMALS = {"ripple_db": 3, "speed_x_64k": 0, "speed_x_250ms": 0}


def table(results: dict[str, Any]) -> str:
    head = f"{'pair':<12} {'resampler':<17}" + "".join(f"{title:>10}" for _, title in COLUMNS)
    lines = [head, "-" * len(head)]
    for pair in (f"{a}->{b}" for a, b in PAIRS):
        for name, per_pair in results.items():
            row = per_pair[pair]
            cells = "".join(
                f"{row[key]:>10.{DECIMALS.get(key, 1)}f}" if key in row else f"{'–':>10}"
                for key, _ in COLUMNS
            )
            lines.append(f"{pair:<12} {name:<17}{cells}")
    lines.append("dB; err in dBFS; ripple max−min up to 0.9·Nyquist; spur, alias: below the tone")
    lines.append("×rt = seconds of 2-channel audio converted per CPU second (fastest of 5)")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    parser.add_argument("--seconds", type=float, default=60.0, help="audio length for speed")
    args = parser.parse_args()
    results = measure(args.seconds)
    print(json.dumps(results, indent=1) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
