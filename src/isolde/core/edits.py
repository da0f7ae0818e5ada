"""Applied edits: a take's result written into the project's timeline over a range.

The source file is never modified. An edit records which take, which range, and how target and
residual are mixed (a remix) — or that an inpainted take replaces the range — and export renders
the source with every edit spliced in, with crossfades at the edges. Where edits overlap, the
later one wins (as for spans).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from isolde.core.errors import SpanError
from isolde.core.spans import TIME_EPS, new_id

EDIT_KINDS = ("remix", "inpaint")
TARGET_GAIN_RANGE = (-60.0, 12.0)
RESIDUAL_GAIN_RANGE = (-60.0, 6.0)  # None = silent; up to +6 dB
DEFAULT_FADE_S = 0.02


@dataclass(frozen=True)
class AppliedEdit:
    take_id: str
    start: float
    end: float
    kind: str = "remix"
    target_gain_db: float = 0.0
    residual_gain_db: float | None = None  # None: the residual is silent
    fade_s: float = DEFAULT_FADE_S
    id: str = field(default_factory=new_id)

    def validate(self, duration: float | None = None) -> AppliedEdit:
        what = f"applied {self.kind} {self.start:g}–{self.end:g} s"
        if self.kind not in EDIT_KINDS:
            raise SpanError(f"{what}: kind must be one of {', '.join(EDIT_KINDS)}")
        for name in ("start", "end", "fade_s", "target_gain_db"):
            value = getattr(self, name)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not math.isfinite(value):
                raise SpanError(f"{what}: {name} must be a finite number, got {value!r}")
        if not 0 <= self.start < self.end:
            raise SpanError(f"{what}: the range must start at or after 0 and before its end")
        if duration is not None and self.end > duration + TIME_EPS:
            raise SpanError(f"{what}: ends after the media ({duration:.3f} s)")
        if not 0 <= self.fade_s <= (self.end - self.start) / 2 + TIME_EPS:
            raise SpanError(f"{what}: the crossfade must fit twice in the range")
        lo, hi = TARGET_GAIN_RANGE
        if not lo <= self.target_gain_db <= hi:
            raise SpanError(f"{what}: target gain must be within {lo:g}…{hi:g} dB")
        if self.residual_gain_db is not None:
            lo, hi = RESIDUAL_GAIN_RANGE
            if not math.isfinite(self.residual_gain_db) or not lo <= self.residual_gain_db <= hi:
                raise SpanError(f"{what}: residual gain must be silent or within {lo:g}…{hi:g} dB")
        return self

    def gains(self) -> tuple[float, float]:
        """Linear gains (target, residual)."""
        target = 10 ** (self.target_gain_db / 20)
        residual = 0.0 if self.residual_gain_db is None else 10 ** (self.residual_gain_db / 20)
        return target, residual

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "take_id": self.take_id,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "target_gain_db": self.target_gain_db,
            "residual_gain_db": self.residual_gain_db,
            "fade_s": self.fade_s,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AppliedEdit:
        residual = data.get("residual_gain_db")
        return cls(
            take_id=str(data["take_id"]),
            start=float(data["start"]),
            end=float(data["end"]),
            kind=str(data.get("kind", "remix")),
            target_gain_db=float(data.get("target_gain_db", 0.0)),
            residual_gain_db=None if residual is None else float(residual),
            fade_s=float(data.get("fade_s", DEFAULT_FADE_S)),
            id=str(data.get("id") or new_id()),
        )
