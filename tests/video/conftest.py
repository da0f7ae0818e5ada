"""Fixtures that generate test videos (see video_factory.py for what the frames look like)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from video_factory import (
    MadeVideo,
    MakeVideo,
    make_corrupt_video,
    make_moving_box_video,
    make_video,
)


@pytest.fixture
def video_maker(tmp_path: Path) -> MakeVideo:
    """make(name="v.mp4", **make_video options) -> MadeVideo, written under tmp_path."""

    def make(name: str = "v.mp4", **options: Any) -> MadeVideo:
        return make_video(tmp_path / name, **options)

    return make


@pytest.fixture(scope="session")
def numbered_video(tmp_path_factory: pytest.TempPathFactory) -> MadeVideo:
    """Read-only: 160×120, 25 fps, 3 s (75 frames), a keyframe every 12 frames, with sound."""
    folder = tmp_path_factory.mktemp("numbered")
    return make_video(folder / "numbered.mp4", size=(160, 120), fps=25, seconds=3, gop=12)


@pytest.fixture(scope="session")
def moving_box(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[int, ...]]]:
    """Read-only: (path, true boxes) of a 320×240, 50-frame textured box moving diagonally."""
    path = tmp_path_factory.mktemp("box") / "box.mp4"
    boxes = make_moving_box_video(path)
    return path, [tuple(b) for b in boxes]


@pytest.fixture
def corrupt_video(tmp_path: Path) -> Path:
    """Good audio, picture packets overwritten with noise."""
    path = tmp_path / "corrupt.mp4"
    make_corrupt_video(path)
    return path
