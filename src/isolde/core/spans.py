"""Spans and inpaint regions: the marks a user puts on the timeline.

Overlap rule (SAM Audio's): where spans overlap, the one added later wins. Spans are kept in the
order they were added; `effective_spans` flattens them into the non-overlapping list an engine
gets, so the same rule holds everywhere (timeline, CLI, providers).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from isolde.core.errors import SpanError

# SAM Audio works on 25 latent frames per second: span times snap to this grid.
SAM_GRID_S = 0.04
# Floating-point slack when checking that a time lies inside the media.
TIME_EPS = 1e-6


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def _check_times(what: str, start: float, end: float, duration: float | None) -> None:
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SpanError(f"{what}: {name} must be a number of seconds, got {value!r}")
        if not math.isfinite(value):
            raise SpanError(f"{what}: {name} must be a finite number of seconds, got {value!r}")
    if start < 0:
        raise SpanError(f"{what}: starts before the beginning of the media ({start:g} s)")
    if not start < end:
        # No "how to fix it" here: each surface (terminal, table, dialog) words its own.
        raise SpanError(f"{what}: start ({start:g} s) must be before end ({end:g} s)")
    if duration is not None and end > duration + TIME_EPS:
        raise SpanError(f"{what}: ends at {end:g} s, after the end of the media ({duration:.3f} s)")


@dataclass(frozen=True)
class Span:
    """`include=True`: the target sounds here; `include=False`: it does not."""

    start: float
    end: float
    include: bool = True
    id: str = field(default_factory=new_id)

    @property
    def kind(self) -> str:
        return "include" if self.include else "exclude"

    @property
    def length(self) -> float:
        return self.end - self.start

    def validate(self, duration: float | None = None) -> Span:
        _check_times(
            f"{self.kind} span {self.start:g}–{self.end:g}", self.start, self.end, duration
        )
        return self

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "start": self.start, "end": self.end, "include": self.include}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Span:
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            include=bool(data.get("include", True)),
            id=str(data.get("id") or new_id()),
        )


@dataclass(frozen=True)
class InpaintRegion:
    """A stretch to regenerate, with its own prompt."""

    start: float
    end: float
    prompt: str = ""
    negative_prompt: str = ""
    seed: int | None = None
    steps: int | None = None
    id: str = field(default_factory=new_id)

    @property
    def length(self) -> float:
        return self.end - self.start

    def validate(self, duration: float | None = None) -> InpaintRegion:
        _check_times(f"inpaint region {self.start:g}–{self.end:g}", self.start, self.end, duration)
        if self.steps is not None and not (isinstance(self.steps, int) and self.steps >= 1):
            raise SpanError(f"inpaint region: steps must be a whole number ≥ 1, got {self.steps!r}")
        if self.seed is not None and not isinstance(self.seed, int):
            raise SpanError(f"inpaint region: seed must be a whole number, got {self.seed!r}")
        return self

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "prompt": self.prompt,
            "negative_prompt": self.negative_prompt,
            "seed": self.seed,
            "steps": self.steps,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InpaintRegion:
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            prompt=str(data.get("prompt", "")),
            negative_prompt=str(data.get("negative_prompt", "")),
            seed=None if data.get("seed") is None else int(data["seed"]),
            steps=None if data.get("steps") is None else int(data["steps"]),
            id=str(data.get("id") or new_id()),
        )


def snap(t: float, grid: float = SAM_GRID_S) -> float:
    """Nearest grid time, rounded to microseconds so that saved values stay tidy."""
    return round(round(t / grid) * grid, 6)


def effective_spans(spans: Sequence[Span]) -> list[Span]:
    """Flatten spans in time order, the later span winning where spans overlap.

    The result never overlaps, touching pieces of the same kind and origin are merged, and every
    piece keeps the id of the span it came from (a span split by a later one yields several pieces
    with the same id).
    """
    pieces: list[Span] = []
    for span in spans:
        kept: list[Span] = []
        for p in pieces:
            if p.end <= span.start or p.start >= span.end:
                kept.append(p)
                continue
            if p.start < span.start:
                kept.append(replace(p, end=span.start))
            if p.end > span.end:
                kept.append(replace(p, start=span.end))
        kept.append(span)
        pieces = kept
    pieces.sort(key=lambda s: (s.start, s.end))
    merged: list[Span] = []
    for p in pieces:
        last = merged[-1] if merged else None
        if (
            last
            and last.id == p.id
            and last.include == p.include
            and abs(last.end - p.start) < TIME_EPS
        ):
            merged[-1] = replace(last, end=p.end)
        else:
            merged.append(p)
    return merged


def total_length(spans: Iterable[Span], include: bool) -> float:
    return sum(s.length for s in effective_spans(list(spans)) if s.include == include)
