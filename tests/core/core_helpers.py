"""Builders shared by the project model tests (imported by name: tests/core is on sys.path)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from isolde.core.media import MediaRef
from isolde.core.project import Project
from isolde.core.spans import InpaintRegion, Span
from isolde.core.state import ProjectState
from isolde.core.takes import Take


def make_media(path: str | Path = "/media/voice.wav", seconds: float = 10.0) -> MediaRef:
    rate = 48_000
    return MediaRef(
        path=str(path),
        content_hash="sha256:" + "ab" * 32,
        sample_rate=rate,
        channels=2,
        frames=round(seconds * rate),
        format="wav",
    )


def make_take(take_id: str = "t1", folder: Path | None = None, **extra: Any) -> Take:
    base = folder or Path("/takes")
    fields: dict[str, Any] = {
        "id": take_id,
        "kind": "separate",
        "provider": "local",
        "endpoint": "spans",
        "created_at": "2025-01-02T03:04:05Z",
        "files": {
            "target": str(base / f"{take_id}-target.wav"),
            "residual": str(base / f"{take_id}-residual.wav"),
        },
        "request": {"prompt": "dog barking", "spans": [[1.0, 2.0, True]]},
        "timing": {"queued": 0.5, "running": 3.25},
    }
    fields.update(extra)
    return Take(**fields)


def full_state(folder: Path) -> ProjectState:
    return ProjectState(
        media=make_media(folder / "audio" / "interview.wav"),
        spans=(Span(1.0, 2.5, True, id="a"), Span(2.0, 3.0, False, id="b")),
        regions=(InpaintRegion(4.0, 5.0, "rain", "thunder", 42, 30, id="r"),),
        prompt="a man speaking",
        provider="fal",
        options={"guidance": 3.5, "reranking": True, "nested": {"depth": [1, 2]}},
        takes=(
            make_take(
                "t1",
                folder / "project-takes",
                label="first",
                cost_usd=0.02,
                provider_request_id="req-1",
                sample_rate=48_000,
            ),
            make_take(
                "t2", Path("/elsewhere"), kind="inpaint", files={"inpainted": "/elsewhere/t2.wav"}
            ),
        ),
        active_take="t1",
    )


def saved_doc(tmp_path: Path, state: ProjectState | None = None) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "project.isolde"
    Project(state or full_state(tmp_path)).save(path)
    return path, json.loads(path.read_text())
