"""Which separation method a request gets, and why (said in the log and in take.json).

`auto` listens before it decides. A speech detector runs on a few short windows where the user
says the target is (include spans, else everywhere but the exclude spans): the speech path is
right when the target talks. The exclude spans are asked a different question — would the speech
estimator keep what the user wants gone? It keeps a lone voice almost whole (a user keeping music
and removing a talker) but takes music, noise and even babble down by 10 dB or more, so a music
bed there never turns a speech file to the spectral path (a speech detector, asked instead, took
music for speech).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from isolde.dsp import deepfilter, rnnoise
from isolde.dsp.denoise_worker import denoise_whole
from isolde.dsp.sources import FrameSource, Ranges
from isolde.dsp.span_suggestions import ON, speech_probabilities
from isolde.dsp.vad import silero_available

METHOD_HELP = {
    "auto": "listens first — a voice in the target's stretches gets `neural` (`speech` without "
    "the network), anything else `spectral`",
    "neural": "DeepFilterNet3's speech estimate fused with the span background into one mask, "
    "set bin by bin by a small learned stage (mains hum is first cancelled line by line)",
    "speech": "RNNoise's speech estimate fused with the span background into one mask (mains "
    "hum is first cancelled line by line)",
    "spectral": "span-guided spectral Wiener gain, for steady backgrounds and non-voice targets "
    "(mains hum the exclude spans hold is first cancelled line by line)",
    "hum": "mains hum lines (50/60 Hz and harmonics) taken as the target",
}
METHODS = tuple(METHOD_HELP)
BACKEND = {"neural": "deepfilter", "speech": "rnnoise"}  # the denoiser each voice method runs
WINDOWS = 8
WINDOW_S = 4.0
KEPT_WINDOWS = 4
TARGET_SPEECH_SHARE = 0.25  # this much of the target's stretches heard as speech: a voice
KEPT_VOICE_DB = -6.0  # the estimator keeps this much of the excluded sound: it is a voice

CheckFn = Callable[[], None]


@dataclass(frozen=True)
class Choice:
    method: str  # "neural", "speech", "spectral" or "hum"
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


def kept_by_estimator(
    source: FrameSource, ranges: Ranges, backend: str, check: CheckFn
) -> float | None:
    """How much of the sound in `ranges` (dB, ≤ about 0) the speech estimator lets through."""
    length = int(WINDOW_S * source.sample_rate)
    power_in = power_out = 0.0
    for a, b in sample_windows(ranges, length, KEPT_WINDOWS):
        check()
        x = source.read(a, b).astype(np.float64).mean(axis=1).astype(np.float32)
        y = denoise_whole(x, source.sample_rate, backend)
        power_in += float(np.sum(np.square(x, dtype=np.float64)))
        power_out += float(np.sum(np.square(y, dtype=np.float64)))
    if power_in <= 1e-12:
        return None  # digital silence: nothing to judge
    return 10 * np.log10(max(power_out, 1e-30) / power_in)


def voice_method() -> tuple[str | None, str]:
    """The best voice method this machine can run, and a note when it is not the network."""
    if deepfilter.available():
        return "neural", ""
    if rnnoise.available():
        return "speech", f"{deepfilter.unavailable_reason()}: RNNoise instead"
    return None, f"{deepfilter.unavailable_reason()}, and {rnnoise.unavailable_reason()}"


def _explicit(requested: str) -> Choice | None:
    if requested == "hum":
        return Choice("hum", "asked for the hum method")
    if requested == "spectral":
        return Choice("spectral", "asked for the spectral method")
    if requested == "speech":
        if rnnoise.available():
            return Choice("speech", "asked for the speech method (RNNoise)")
        return Choice("spectral", f"{rnnoise.unavailable_reason()}: spectral method instead")
    if requested == "neural":
        method, note = voice_method()
        if method == "neural":
            return Choice("neural", "asked for the neural method (DeepFilterNet3)")
        return Choice(method or "spectral", f"asked for the neural method, but {note}")
    return None


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
    explicit = _explicit(requested)
    if explicit is not None:
        return explicit
    method, note = voice_method()
    suffix = f" ({note})" if note else ""
    if method is None:
        return Choice("spectral", f"{note}: spectral method")
    if prompt_path == "speech":
        return Choice(method, f"the prompt names speech: {method} method{suffix}")
    kept = None
    if excluded:
        kept = kept_by_estimator(source, excluded, BACKEND[method], check)
        if kept is not None and kept >= KEPT_VOICE_DB:
            return Choice(
                "spectral",
                f"the exclude spans hold speech (a voice: the speech estimator keeps {kept:.0f} dB "
                "of them), so the target is not the voice: spectral method",
            )
    where = included or complement(excluded, source.frames)
    share = speech_share(source, where, check)
    if share is None or share < TARGET_SPEECH_SHARE:
        heard = "nothing to sample" if share is None else f"speech in only {share:.0%}"
        return Choice("spectral", f"{heard} of the target's stretches: spectral method")
    reason = f"speech heard in {share:.0%} of the target's stretches (sampled)"
    if kept is not None:
        reason += f"; the speech estimator takes the exclude spans' sound down {-kept:.0f} dB"
    return Choice(method, f"{reason}: {method} method{suffix}")
