"""The speech detectors behind `isolde suggest`, on the benchmark mixtures: how well their
suggested spans match the clean track, and how the engine does on them instead of the true ones.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from engine_runs import run_engine
from mixtures import BACKGROUNDS, RATE, Mixture, mixture, si_sdr
from scipy.ndimage import binary_closing

from isolde.dsp.sources import ArraySource
from isolde.dsp.span_suggestions import suggest_spans

DETECTORS = ("silero", "rnnoise", "energy")
SNR_DB = 5  # one SNR keeps the study short; the grid has all three


def _truth(mx: Mixture, hop: int = RATE // 100) -> np.ndarray:
    """Speech activity per 10 ms from the clean track, pauses under 200 ms bridged."""
    n = len(mx.speech) // hop
    energy = (mx.speech[: n * hop].reshape(n, hop) ** 2).mean(axis=1)
    return binary_closing(energy > energy.max() * 1e-4, np.ones(21, bool))


def vad_study(voices: int) -> dict[str, dict[str, float]]:
    """Per detector, over every background at SNR_DB: frame accuracy of its include spans,
    share of its exclude time that holds speech (must be ~0), share of the speech-free time it
    offers as exclude spans, SI-SDRi of the engine (`auto`) run on its suggested exclude spans
    instead of the true ones, and its RTF."""
    out: dict[str, dict[str, float]] = {}
    for name in DETECTORS:
        rows: list[tuple[float, float, float, float, float]] = []
        for kind in BACKGROUNDS:
            for v in range(voices):
                mx = mixture(v, kind, SNR_DB)
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
                gain = si_sdr(engine, mx.speech) - si_sdr(mx.mix, mx.speech)
                rows.append(
                    (
                        float(np.mean(said == truth)),
                        float((excl & truth).sum() / max(excl.sum(), 1)),
                        float((excl & ~truth).sum() / max((~truth).sum(), 1)),
                        gain,
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
