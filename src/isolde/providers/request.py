"""What one engine call needs: the kind of request, the media, the marks, the options.

Immutable, so a worker thread can own it safely; JSON both ways, so a job store can keep it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from isolde.core.spans import TIME_EPS, InpaintRegion, Span


class RequestKind(StrEnum):
    TEXT = "text"
    SPANS = "spans"
    VISUAL = "visual"
    INPAINT = "inpaint"


@dataclass(frozen=True)
class TimeRange:
    """A stretch of the media in seconds: the part of a long file the user wants processed."""

    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start

    def to_json(self) -> dict[str, float]:
        return {"start": self.start, "end": self.end}


@dataclass(frozen=True)
class Request:
    """Everything one engine call needs.

    `selection`: process only this stretch; the result is placed back at its time in full-length
    files (see `isolde.providers.assembly`). `video_path`/`mask_path`: visual separation.
    """

    kind: RequestKind
    media_path: str
    prompt: str = ""
    spans: tuple[Span, ...] = ()
    region: InpaintRegion | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    selection: TimeRange | None = None
    video_path: str | None = None
    mask_path: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))

    def to_json(self) -> dict[str, Any]:
        data = {
            "kind": self.kind.value,
            "media_path": self.media_path,
            "prompt": self.prompt,
            "spans": [s.to_json() for s in self.spans],
            "region": self.region.to_json() if self.region else None,
            "options": dict(self.options),
        }
        if self.selection is not None:
            data["selection"] = self.selection.to_json()
        if self.video_path is not None:
            data["video_path"] = self.video_path
        if self.mask_path is not None:
            data["mask_path"] = self.mask_path
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Request:
        selection = data.get("selection")
        return cls(
            kind=RequestKind(data["kind"]),
            media_path=str(data["media_path"]),
            prompt=str(data.get("prompt", "")),
            spans=tuple(Span.from_json(s) for s in data.get("spans", ())),
            region=InpaintRegion.from_json(data["region"]) if data.get("region") else None,
            options=dict(data.get("options") or {}),
            selection=TimeRange(selection["start"], selection["end"]) if selection else None,
            video_path=data.get("video_path"),
            mask_path=data.get("mask_path"),
        )


def selection_problems(request: Request, duration_s: float) -> dict[str, str]:
    sel = request.selection
    if sel is None:
        return {}
    if not (0 <= sel.start < sel.end) or sel.end > duration_s + TIME_EPS:
        return {
            "selection": f"selection {sel.start:g}–{sel.end:g} s must lie inside the media "
            f"(0–{duration_s:.3f} s) with start before end"
        }
    region = request.region
    if region is not None and not (
        sel.start - TIME_EPS <= region.start and region.end <= sel.end + TIME_EPS
    ):
        return {
            "selection": f"the inpaint region {region.start:g}–{region.end:g} s must lie inside "
            f"the selection {sel.start:g}–{sel.end:g} s"
        }
    if request.kind is RequestKind.SPANS and not any(
        s.end > sel.start and s.start < sel.end for s in request.spans
    ):
        return {"selection": "no span falls inside the selection; mark one there"}
    return {}
