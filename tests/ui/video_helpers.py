"""Shared pieces for the video UI tests: generated videos, a window with a pull-driven player,
and reading back which frame the viewer shows (screenshots: `window_helpers`)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage
from window_helpers import open_in_window

from isolde.audio.playback import Player
from isolde.audio.pull_backend import PullBackend
from isolde.ui.shell.main_window import MainWindow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "video"))
from video_factory import (
    MadeVideo,
    make_corrupt_video,
    make_video,
    read_frame_number,
)

__all__ = [
    "MadeVideo",
    "make_corrupt_video",
    "make_video",
    "read_frame_number",
    "shown_number",
    "shown_pixels",
    "video_window",
    "wait_frame",
]


def video_window(  # type: ignore[no-untyped-def]
    qtbot,
    path: Path,
    backend: PullBackend | None = None,
    size: tuple[int, int] = (1280, 800),
    *,
    expect_error: bool = False,
) -> MainWindow:
    backend = backend or PullBackend()
    return open_in_window(
        qtbot,
        path,
        size,
        expect_error=expect_error,
        player_factory=lambda: Player(backend=backend, blocksize=256),
    )


def qimage_array(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    return data[:, : 3 * w].reshape(h, w, 3).copy()


def shown_pixels(window: MainWindow) -> np.ndarray:
    """The picture the viewer's view holds now (what is drawn, before zoom)."""
    pixmap = window.video.viewer.view._image.pixmap()
    assert not pixmap.isNull(), "no picture on screen"
    return qimage_array(pixmap.toImage())


def wait_frame(qtbot, window: MainWindow, index: int) -> None:  # type: ignore[no-untyped-def]
    viewer = window.video.viewer
    qtbot.waitUntil(lambda: viewer.current_frame == index, timeout=10_000)


def shown_number(window: MainWindow) -> int | None:
    return read_frame_number(shown_pixels(window))
