"""Shared pieces of the fal test modules (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

from fakecloud import FakeCloud
from isolde.providers.base import JobEvent, Request, RequestKind
from isolde.providers.fal import FalProvider

TEXT, SPANS, VISUAL, INPAINT = (
    RequestKind.TEXT,
    RequestKind.SPANS,
    RequestKind.VISUAL,
    RequestKind.INPAINT,
)


def submitted(cloud: FakeCloud) -> dict:
    """The body of the one submit the fake fal queue received."""
    [hit] = [h for h in cloud.hits if h.method == "POST" and "/fal/queue/" in h.path]
    return hit.json


def run(fal: FalProvider, request: Request, tmp_path: Path, **kw):  # type: ignore[no-untyped-def]
    events: list[JobEvent] = []
    result = fal.run(request, tmp_path / "work", on_event=events.append, **kw)
    return result, events
