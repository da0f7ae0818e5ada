"""Which separation method a request gets: speech, spectral or hum, and why (said in the log).

`auto` listens before it decides: a speech detector runs on a few short windows where the user
says the target is (include spans, else everywhere but the exclude spans) and inside the exclude
spans. The speech path is right when the target talks and the unwanted sound does not; RNNoise
would throw away any other target.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from isolde.providers.local import rnnoise
from isolde.providers.local.sources import FrameSource
from isolde.providers.local.span_suggestions import ON, speech_probabilities
from isolde.providers.local.vad import silero_available

METHODS = ("auto", "speech", "spectral")
WINDOWS = 8
WINDOW_S = 4.0
TARGET_SPEECH_SHARE = 0.25  # this much of the target's stretches heard as speech: a voice
EXCLUDED_SPEECH_SHARE = 0.3  # this much speech where the target is absent: speech is unwanted

Ranges = Sequence[tuple[int, int]]
CheckFn = Callable[[], None]


@dataclass(frozen=True)
class Choice:
    method: str  # "speech", "spectral" or "hum"
    reason: str


def complement(ranges: Ranges, total: int) -> list[tuple[int, int]]:
    """[0, total) minus merged, sorted `ranges`."""
    out, at = [], 0
    for a, b in ranges:
        if a > at:
            out.append((at, a))
        at = max(at, b)
    if at < total:
        out.append((at, total))
    return out


def sample_windows(ranges: Ranges, length: int, count: int) -> list[tuple[int, int]]:
    """Up to `count` windows of at most `length` samples, spread evenly through `ranges`."""
    total = sum(b - a for a, b in ranges)
    if total <= count * length:
        return [(a, b) for a, b in ranges if b > a]
    windows = []
    for i in range(count):
        at = int((i + 0.5) * total / count)
        for a, b in ranges:
            if at < b - a:
                start = min(a + at, max(b - length, a))
                windows.append((start, min(start + length, b)))
                break
            at -= b - a
    return windows


def speech_share(source: FrameSource, ranges: Ranges, check: CheckFn) -> float | None:
    """Share of sampled hops in `ranges` a detector calls speech; None if nothing to hear."""
    detector = "silero" if silero_available() else "rnnoise"
    length = int(WINDOW_S * source.sample_rate)
    heard: list[np.ndarray] = []
    for a, b in sample_windows(ranges, length, WINDOWS):
        probs, _, _ = speech_probabilities(source, detector, lambda n: check(), a, b)
        heard.append(probs)
    probs = np.concatenate(heard) if heard else np.zeros(0)
    return float(np.mean(probs >= ON)) if len(probs) else None


def choose_method(
    requested: str,
    prompt_path: str | None,
    source: FrameSource,
    excluded: Ranges,
    included: Ranges,
    check: CheckFn,
) -> Choice:
    if prompt_path == "hum":
        return Choice("hum", "the prompt names mains hum")
    if requested == "spectral":
        return Choice("spectral", "asked for the spectral method")
    if not rnnoise.available():
        return Choice("spectral", rnnoise.unavailable_reason())
    if requested == "speech":
        return Choice("speech", "asked for the speech method")
    if prompt_path == "speech":
        return Choice("speech", "the prompt names speech")
    if excluded:
        share = speech_share(source, excluded, check)
        if share is not None and share >= EXCLUDED_SPEECH_SHARE:
            return Choice(
                "spectral",
                f"the exclude spans hold speech ({share:.0%} of what was sampled), so the "
                "target is not the voice: spectral method",
            )
    where = included or complement(excluded, source.frames)
    share = speech_share(source, where, check)
    if share is not None and share >= TARGET_SPEECH_SHARE:
        return Choice(
            "speech",
            f"speech heard in {share:.0%} of the target's stretches (sampled): speech method",
        )
    heard = "nothing to sample" if share is None else f"speech in only {share:.0%}"
    return Choice("spectral", f"{heard} of the target's stretches: spectral method")
