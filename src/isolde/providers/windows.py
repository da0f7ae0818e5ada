"""Windows: the stretches of a long file sent to an engine one at a time, and how they blend back.

A selection is one window: the selected range plus CONTEXT_S each side, so the engine hears what
leads in and out. Long inputs for engines without server-side chunking become overlapping
windows. Each window has a weight that is 1 over the part it owns and ramps (raised cosine) where
it hands over; where two windows overlap their ramps are complementary, so the weights sum to 1
everywhere a window owns and target + residual still add up to the input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from isolde.core.spans import Span
from isolde.providers.base import Request, RequestKind, TimeRange

CONTEXT_S = 2.0  # sent each side of a selection
INPAINT_CONTEXT_S = 5.0  # inpainting continues the surroundings: give it more of them
SEPARATE_FADE_S = 0.02  # the target fades out this far into the context past a selection's edge
INPAINT_FADE_S = 0.1  # an inpainted stretch blends into the original over this much context


def context_for(kind: RequestKind) -> float:
    return INPAINT_CONTEXT_S if kind is RequestKind.INPAINT else CONTEXT_S


def fade_for(kind: RequestKind) -> float:
    return INPAINT_FADE_S if kind is RequestKind.INPAINT else SEPARATE_FADE_S


@dataclass(frozen=True)
class Window:
    """Frames [start, stop) are sent. The weight rises 0→1 over ramp_in, is 1 until ramp_out,
    falls 1→0 over ramp_out, and is 0 outside [ramp_in[0], ramp_out[1])."""

    start: int
    stop: int
    ramp_in: tuple[int, int]
    ramp_out: tuple[int, int]

    def to_json(self, rate: int) -> dict[str, float]:
        return {
            "sent_from_s": round(self.start / rate, 6),
            "sent_to_s": round(self.stop / rate, 6),
            "owns_from_s": round(self.ramp_in[1] / rate, 6),
            "owns_to_s": round(self.ramp_out[0] / rate, 6),
        }


def selection_window(
    selection: TimeRange, rate: int, frames: int, *, context_s: float, fade_s: float
) -> Window:
    s0 = min(max(round(selection.start * rate), 0), frames)
    s1 = min(max(round(selection.end * rate), s0 + 1), frames)
    context, fade = round(context_s * rate), round(fade_s * rate)
    start, stop = max(0, s0 - context), min(frames, s1 + context)
    return Window(start, stop, (max(start, s0 - fade), s0), (s1, min(stop, s1 + fade)))


def chunk_windows(frames: int, rate: int, chunk_s: float, overlap_s: float) -> list[Window]:
    """Equal windows of at most chunk_s, overlapping by overlap_s, crossfading over the overlap."""
    length = max(round(chunk_s * rate), 1)
    overlap = min(max(round(overlap_s * rate), 0), length // 2)
    if frames <= length:
        return [Window(0, frames, (0, 0), (frames, frames))]
    count = math.ceil((frames - overlap) / (length - overlap))
    step = math.ceil((frames - overlap) / count)
    windows = []
    for i in range(count):
        start = i * step
        stop = frames if i == count - 1 else start + step + overlap
        ramp_in = (0, 0) if i == 0 else (start, start + overlap)
        ramp_out = (frames, frames) if i == count - 1 else (stop - overlap, stop)
        windows.append(Window(start, stop, ramp_in, ramp_out))
    return windows


def _rise(t: np.ndarray, a: int, b: int) -> np.ndarray:
    """Raised cosine 0→1 across [a, b), sampled at frame centres; a step at a when a == b."""
    if b <= a:
        return (t >= a).astype(np.float64)
    x = np.clip((t - a + 0.5) / (b - a), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * x)


def weights(window: Window, first: int, stop: int) -> np.ndarray:
    """The window's weight for frames [first, stop)."""
    t = np.arange(first, stop, dtype=np.float64)
    w = _rise(t, *window.ramp_in) * (1.0 - _rise(t, *window.ramp_out))
    w[(t < window.start) | (t >= window.stop)] = 0.0
    return w


def shifted_request(request: Request, window: Window, rate: int, media_path: str) -> Request:
    """The request as the engine sees one window: times relative to it, no selection.

    Spans are clipped to the window and keep their order (the later-wins rule still holds);
    spans wholly outside it are dropped.
    """
    offset, length = window.start / rate, (window.stop - window.start) / rate
    spans = []
    for span in request.spans:
        a, b = max(span.start - offset, 0.0), min(span.end - offset, length)
        if b - a > 1e-6:
            spans.append(Span(round(a, 6), round(b, 6), span.include, span.id))
    region = request.region
    if region is not None:
        region = replace(
            region,
            start=round(max(region.start - offset, 0.0), 6),
            end=round(min(region.end - offset, length), 6),
        )
    return replace(
        request, media_path=media_path, spans=tuple(spans), region=region, selection=None
    )
