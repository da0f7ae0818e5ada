"""Offline engine benchmark (run on purpose; see tests/bench/README.md for what and how):

    .venv/bin/python tests/bench/bench_local_engine.py [--json] [--voices 4] [--hours 3]
        [--rtf-minutes 10] [--skip-rss] [--skip-vad] [--dir DIR] [--json-out FILE]

Quality: espeak-ng speech over five backgrounds at 0, 5 and 10 dB SNR, exclude spans on the
speech-free stretches; SI-SDR improvement of the engine (default options, as a user gets it),
of its spectral method alone, of noisereduce (the reference, same run) and of an ideal mask.
Speed: real-time factor at 48 kHz stereo through the provider (files in, files out). Memory:
peak resident memory processing a long file (written in chunks, deleted after).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from engine_runs import run_engine, run_ideal_mask, run_noisereduce
from mixtures import (
    BACKGROUNDS,
    MUSIC_BACKGROUNDS,
    NOISE_BACKGROUNDS,
    RATE,
    SNRS_DB,
    VOICES,
    Mixture,
    mixture,
    si_sdr,
)
from rss_probe import peak_rss, write_long_wav
from scipy.ndimage import binary_closing
from scipy.signal import resample_poly

from isolde.providers.local.sources import ArraySource
from isolde.providers.local.span_suggestions import suggest_spans

TARGETS = {  # key: (limit, "min" or "max")
    "sisdri_noise_0db": (13.0, "min"),
    "sisdri_music_0db": (10.0, "min"),
    "rtf_48k_stereo": (0.04, "max"),
    "peak_rss_3h_mb": (500.0, "max"),
}
MARGIN_OVER_NOISEREDUCE_DB = 4.0
METHODS = ("engine", "spectral", "noisereduce", "ideal")
DETECTORS = ("silero", "rnnoise", "energy")


# -- quality ------------------------------------------------------------------------------------
def _improvement(estimate: np.ndarray, mx: Mixture) -> float:
    return si_sdr(estimate, mx.speech) - si_sdr(mx.mix, mx.speech)


def quality(voices: int) -> tuple[dict[tuple[str, str, int], float], dict[str, int]]:
    """Mean SI-SDRi per (method, background, SNR), and which method `auto` chose how often."""
    scores: dict[tuple[str, str, int], list[float]] = defaultdict(list)
    chosen: dict[str, int] = defaultdict(int)
    for kind in BACKGROUNDS:
        for snr in SNRS_DB:
            for v in range(voices):
                mx = mixture(v, kind, snr)
                engine, details, _ = run_engine(mx.mix, list(mx.exclude))
                chosen[details["method"]] += 1
                spectral, _, _ = run_engine(mx.mix, list(mx.exclude), {"method": "spectral"})
                runs = {
                    "engine": engine,
                    "spectral": spectral,
                    "noisereduce": run_noisereduce(mx),
                    "ideal": run_ideal_mask(mx),
                }
                for method, estimate in runs.items():
                    scores[(method, kind, snr)].append(_improvement(estimate, mx))
            print(f"  {kind} {snr} dB done", file=sys.stderr)
    return {k: float(np.mean(v)) for k, v in scores.items()}, dict(chosen)


def group_mean(scores: dict, method: str, kinds: tuple[str, ...], snrs: tuple[int, ...]) -> float:
    return float(np.mean([scores[(method, k, s)] for k in kinds for s in snrs]))


# -- speech detectors ---------------------------------------------------------------------------
def _truth(mx: Mixture, hop: int = RATE // 100) -> np.ndarray:
    """Speech activity per 10 ms from the clean track, pauses under 200 ms bridged."""
    n = len(mx.speech) // hop
    energy = (mx.speech[: n * hop].reshape(n, hop) ** 2).mean(axis=1)
    return binary_closing(energy > energy.max() * 1e-4, np.ones(21, bool))


def vad_study(voices: int) -> dict[str, dict[str, float]]:
    """Per detector: frame accuracy of its include spans, share of its exclude time that holds
    speech (must be ~0), share of the speech-free time it offers as exclude spans, SI-SDRi of
    the engine run on its suggested exclude spans instead of the true ones, and its RTF."""
    out: dict[str, dict[str, float]] = {}
    for name in DETECTORS:
        rows: list[tuple[float, float, float, float, float]] = []
        for kind in BACKGROUNDS:
            for snr in SNRS_DB:
                for v in range(voices):
                    mx = mixture(v, kind, snr)
                    started = time.perf_counter()
                    suggestion = suggest_spans(ArraySource(mx.mix, RATE), name)
                    rtf = (time.perf_counter() - started) / (len(mx.mix) / RATE)
                    truth = _truth(mx)
                    said = np.zeros(len(truth), bool)
                    excl = np.zeros(len(truth), bool)
                    for s in suggestion.spans:
                        (said if s.include else excl)[int(s.start * 100) : int(s.end * 100)] = True
                    spans = [(s.start, s.end) for s in suggestion.spans if not s.include]
                    engine, _, _ = run_engine(mx.mix, spans)
                    rows.append(
                        (
                            float(np.mean(said == truth)),
                            float((excl & truth).sum() / max(excl.sum(), 1)),
                            float((excl & ~truth).sum() / max((~truth).sum(), 1)),
                            _improvement(engine, mx),
                            rtf,
                        )
                    )
        mean = np.mean(rows, axis=0)
        out[name] = {
            "accuracy": float(mean[0]),
            "speech_in_exclude": float(mean[1]),
            "speech_free_covered": float(mean[2]),
            "sisdri_with_suggested": float(mean[3]),
            "rtf": float(mean[4]),
        }
        print(f"  detector {name} done", file=sys.stderr)
    return out


def rates_study(voices: int) -> dict[str, float]:
    """The engine at other rates: the mixtures at 5 dB resampled (RNNoise runs at 48 kHz behind
    a resampler), mean SI-SDRi per rate."""
    out: dict[str, float] = {}
    for rate in (8_000, 16_000, 44_100, RATE):
        gains = []
        for kind in ("pink", "pad"):
            for v in range(min(voices, 2)):
                mx = mixture(v, kind, 5)
                mix, speech = (
                    resample_poly(x, rate // 100, RATE // 100) for x in (mx.mix, mx.speech)
                )
                target, _, _ = run_engine(mix, list(mx.exclude), rate=rate)
                gains.append(si_sdr(target, speech) - si_sdr(mix, speech))
        out[f"{rate} Hz"] = round(float(np.mean(gains)), 2)
    return out


# -- speed and memory ---------------------------------------------------------------------------
def stereo_loop() -> tuple[np.ndarray, tuple[float, float]]:
    """A stereo speech-over-music stretch (two voices, panned apart) and its speech-free lead."""
    a, b = mixture(0, "pad", 5), mixture(1, "pink", 5)
    n = min(len(a.mix), len(b.mix))
    left = a.mix[:n] + 0.4 * b.mix[:n]
    right = 0.5 * a.mix[:n] + b.mix[:n]
    loop = np.stack([left, right], axis=1)
    return 0.5 * loop / np.abs(loop).max(), (0.0, min(a.exclude[0][1], b.exclude[0][1]))


def realtime_factor(minutes: float, method: str = "auto") -> float:
    loop, lead = stereo_loop()
    frames = int(minutes * 60 * RATE)
    mix = loop[np.arange(frames) % len(loop)]
    options = {} if method == "auto" else {"method": method}
    _, _, seconds = run_engine(mix, [lead], options, subtype="PCM_16")
    return seconds / (frames / RATE)


def memory(hours: float, folder: Path) -> dict[str, float]:
    loop, lead = stereo_loop()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "long.wav"
    work = folder / "job"
    try:
        write_long_wav(path, loop, RATE, hours)
        return peak_rss(path, work, lead)
    finally:
        path.unlink(missing_ok=True)
        for f in work.glob("*") if work.exists() else []:
            f.unlink()
        if work.exists():
            work.rmdir()


# -- report -------------------------------------------------------------------------------------
def verdict(key: str, value: float | None) -> str:
    if value is None:
        return "not measured"
    limit, kind = TARGETS[key]
    ok = value >= limit if kind == "min" else value <= limit
    return f"{'met' if ok else 'NOT MET'} ({'≥' if kind == 'min' else '≤'} {limit:g})"


def print_table(result: dict, scores: dict, chosen: dict, vad: dict | None, extra: dict) -> None:
    print("SI-SDR improvement, dB (mean over voices)")
    print(f"{'method':<12} {'SNR':>4} " + " ".join(f"{k:>9}" for k in BACKGROUNDS))
    for method in METHODS:
        for snr in SNRS_DB:
            row = " ".join(f"{scores[(method, k, snr)]:9.2f}" for k in BACKGROUNDS)
            print(f"{method:<12} {snr:>3}  {row}")
    print(f"auto chose: {chosen}")
    print()
    margin = result["sisdri_mean"] - result["noisereduce_mean"]
    beats = "met" if margin >= MARGIN_OVER_NOISEREDUCE_DB else "NOT MET"
    rows = [(key, result[key], unit, verdict(key, result[key]) if key in TARGETS else "")
            for key, unit in (("sisdri_noise_0db", "dB"), ("sisdri_music_0db", "dB"),
                              ("sisdri_mean", "dB"), ("noisereduce_mean", "dB"),
                              ("rtf_48k_stereo", ""), ("peak_rss_3h_mb", "MB"))]  # fmt: skip
    rows[3] = (
        *rows[3][:3],
        f"{beats} (engine {margin:+.2f} dB; ≥ +{MARGIN_OVER_NOISEREDUCE_DB:g})",
    )
    for key, value, unit, note in rows:
        shown = "—" if value is None else f"{value:.4g} {unit}"
        print(f"{key:<18} {shown:>14}   {note}")
    for key, value in extra.items():
        print(f"  {key}: {value}")
    if vad:
        print()
        print("speech detectors (suggested spans)")
        print(f"{'detector':<9} {'accuracy':>9} {'speech in excl':>15} {'free covered':>13} "
              f"{'SI-SDRi':>8} {'RTF':>7}")  # fmt: skip
        for name, r in vad.items():
            print(
                f"{name:<9} {r['accuracy']:9.3f} {r['speech_in_exclude']:15.3f} "
                f"{r['speech_free_covered']:13.3f} {r['sisdri_with_suggested']:8.2f} "
                f"{r['rtf']:7.4f}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--voices", type=int, default=len(VOICES), help="voices per mixture set")
    parser.add_argument("--hours", type=float, default=3.0, help="length of the memory test file")
    parser.add_argument("--rtf-minutes", type=float, default=10.0, help="length for the RTF")
    parser.add_argument("--skip-rss", action="store_true", help="skip the long-file memory test")
    parser.add_argument("--skip-vad", action="store_true", help="skip the speech-detector study")
    parser.add_argument("--dir", type=Path, help="where to write the long file (default: $TMPDIR)")
    parser.add_argument("--json-out", type=Path, help="also write the JSON object to this file")
    args = parser.parse_args()

    print("quality…", file=sys.stderr)
    scores, chosen = quality(args.voices)
    zero = (0,)
    result: dict = {
        "sisdri_noise_0db": group_mean(scores, "engine", NOISE_BACKGROUNDS, zero),
        "sisdri_music_0db": group_mean(scores, "engine", MUSIC_BACKGROUNDS, zero),
        "sisdri_mean": group_mean(scores, "engine", BACKGROUNDS, SNRS_DB),
        "noisereduce_mean": group_mean(scores, "noisereduce", BACKGROUNDS, SNRS_DB),
    }
    print("speed…", file=sys.stderr)
    result["rtf_48k_stereo"] = realtime_factor(args.rtf_minutes)
    extra = {
        "rtf_48k_stereo_spectral": round(realtime_factor(args.rtf_minutes / 2, "spectral"), 4),
        "cores": os.cpu_count(),
    }
    extra["sisdri_by_rate_pink_pad_5db"] = rates_study(args.voices)
    result["peak_rss_3h_mb"] = None
    if not args.skip_rss:
        print(f"memory on a {args.hours:g}-hour file…", file=sys.stderr)
        folder = args.dir or Path(tempfile.gettempdir()) / "isolde-bench"
        rss = memory(args.hours, folder)
        result["peak_rss_3h_mb"] = rss["total_mb"]
        extra |= {
            "rss_engine_process_mb": round(rss["main_mb"], 1),
            "rss_rnnoise_worker_mb": round(rss["worker_mb"], 1),
            "long_file_seconds": round(rss["seconds"], 1),
            "long_file_engine_says": rss["engine_says"],
        }
    vad = None if args.skip_vad else vad_study(args.voices)
    out = dict(result)
    out["details"] = {
        "per_background": {f"{m}/{k}/{s}dB": round(v, 3) for (m, k, s), v in scores.items()},
        "auto_chose": chosen,
        "speech_detectors": vad,
        **extra,
    }
    if args.json_out:
        args.json_out.write_text(json.dumps(out, indent=2) + "\n")
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print_table(result, scores, chosen, vad, extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
