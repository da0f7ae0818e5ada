"""Suggested spans: where a speech detector hears speech (include) and where it hears none
(exclude), for the user to accept or edit.

Exclude spans matter most: the engine measures the background there and silences the target
there, so they keep a margin from any speech and must be long enough to be worth measuring.
The pass reads the file once in blocks (constant memory but for one probability per hop).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from isolde.audio import Resampler
from isolde.dsp.sources import FrameSource
from isolde.dsp.vad import make_detector

BLOCK_S = 1.0
ON, OFF = 0.5, 0.35  # hysteresis: speech starts at ON and lasts until the probability is < OFF
MIN_SPEECH_S = 0.15  # shorter blips are not speech
MIN_GAP_S = 0.3  # shorter pauses belong to the speech around them
PAD_S = 0.1  # include spans reach this far beyond the detected speech
MARGIN_S = 0.15  # exclude spans keep this far from it
MIN_EXCLUDE_S = 0.5  # shorter speech-free stretches are not suggested

StepFn = Callable[[int], None]


@dataclass(frozen=True)
class SuggestedSpan:
    start: float
    end: float
    include: bool
    confidence: float  # mean detector belief in what the span claims, 0–1

    def to_json(self) -> dict[str, Any]:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "include": self.include,
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True)
class Suggestion:
    detector: str
    duration: float
    hop_s: float
    spans: list[SuggestedSpan] = field(default_factory=list)

    @property
    def speech_s(self) -> float:
        return sum(s.end - s.start for s in self.spans if s.include)

    def to_json(self) -> dict[str, Any]:
        return {
            "detector": self.detector,
            "duration": round(self.duration, 3),
            "speech_s": round(self.speech_s, 3),
            "spans": [s.to_json() for s in self.spans],
        }


def speech_probabilities(
    source: FrameSource, detector_name: str, step: StepFn, start: int = 0, stop: int | None = None
) -> tuple[np.ndarray, float, str]:
    """(probability per hop, hop in seconds, detector name) over samples [start, stop)."""
    stop = source.frames if stop is None else stop
    detector = make_detector(detector_name)
    resampler = None
    if source.sample_rate != detector.rate:
        resampler = Resampler(source.sample_rate, detector.rate, 1)
    block = max(1, int(BLOCK_S * source.sample_rate))
    parts = []
    for a in range(start, stop, block):
        b = min(stop, a + block)
        x = source.read(a, b).astype(np.float64).mean(axis=1)
        parts.append(detector.probabilities(x if resampler is None else resampler.process(x)[:, 0]))
        step(b - a)
    if resampler is not None:
        parts.append(detector.probabilities(resampler.flush()[:, 0]))
    probs = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return probs, detector.hop / detector.rate, detector.name


def speech_runs(probs: np.ndarray, hop_s: float) -> list[tuple[float, float]]:
    """Speech as [start, end) seconds: hysteresis, short pauses bridged, blips dropped."""
    runs: list[list[float]] = []
    active = False
    for i, p in enumerate(probs):
        if not active and p >= ON:
            active = True
            runs.append([i * hop_s, len(probs) * hop_s])
        elif active and p < OFF:
            active = False
            runs[-1][1] = i * hop_s
    merged: list[list[float]] = []
    for run in runs:
        if merged and run[0] - merged[-1][1] < MIN_GAP_S:
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    return [(a, b) for a, b in merged if b - a >= MIN_SPEECH_S]


def _mean(probs: np.ndarray, hop_s: float, a: float, b: float) -> float:
    part = probs[int(a / hop_s) : max(int(np.ceil(b / hop_s)), int(a / hop_s) + 1)]
    return float(part.mean()) if len(part) else 0.0


def spans_from_probabilities(
    probs: np.ndarray, hop_s: float, duration: float
) -> list[SuggestedSpan]:
    speech = speech_runs(probs, hop_s)
    spans = [
        SuggestedSpan(
            max(a - PAD_S, 0.0), min(b + PAD_S, duration), True, _mean(probs, hop_s, a, b)
        )
        for a, b in speech
    ]
    gap_start = 0.0  # the file's ends need no margin; speech does
    for a, b in [*speech, (duration + MARGIN_S, duration)]:
        gap_end = a - MARGIN_S
        if gap_end - gap_start >= MIN_EXCLUDE_S:
            confidence = 1.0 - _mean(probs, hop_s, gap_start, gap_end)
            spans.append(SuggestedSpan(gap_start, gap_end, False, confidence))
        gap_start = b + MARGIN_S
    return sorted(spans, key=lambda s: s.start)


def suggest_spans(
    source: FrameSource, detector: str = "auto", step: StepFn | None = None
) -> Suggestion:
    probs, hop_s, name = speech_probabilities(source, detector, step or (lambda n: None))
    duration = source.frames / source.sample_rate
    return Suggestion(name, duration, hop_s, spans_from_probabilities(probs, hop_s, duration))
