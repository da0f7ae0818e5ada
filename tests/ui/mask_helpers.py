"""Shared pieces for the mask tools' tests: a window with a video open, and a hand on the picture
(real mouse and key events on the frame view's viewport, in image coordinates)."""

from __future__ import annotations

import sys
from pathlib import Path

from job_helpers import open_job_window
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QApplication

from isolde.ui.shell.main_window import MainWindow
from isolde.ui.video.mask_tools import MaskTools

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "video"))
from video_factory import make_moving_box_video, make_video

__all__ = ["make_moving_box_video", "make_video"]
LEFT, NONE = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton


def open_video_window(qtbot, path: Path, size: tuple[int, int] = (1400, 900)) -> MainWindow:  # type: ignore[no-untyped-def]
    window = open_job_window(qtbot, path, size)
    viewer = window.video.viewer
    qtbot.waitUntil(lambda: viewer.current_frame is not None, timeout=10_000)
    return window


def tools_of(window: MainWindow) -> MaskTools:
    tools = window.video.mask_tools
    assert isinstance(tools, MaskTools)
    return tools


def go_to_frame(qtbot, window: MainWindow, index: int) -> None:  # type: ignore[no-untyped-def]
    viewer = window.video.viewer
    assert viewer.video is not None
    window.seek(max(viewer.video.reader.time_of(index), 0.0))
    qtbot.waitUntil(lambda: viewer.current_frame == index, timeout=10_000)


def settle(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """Wait until the viewer's masks for the frame on screen have been drawn."""
    viewer = window.video.viewer
    assert viewer.wait_idle()
    viewer.refresh()
    QApplication.processEvents()


class Hand:
    """Mouse and keys on the picture of `window`'s viewer, in image pixels."""

    def __init__(self, window: MainWindow) -> None:
        self.view = window.video.viewer.view

    def at(self, x: float, y: float) -> QPoint:
        return self.view.mapFromScene(QPointF(x, y))

    def _send(
        self, kind: QEvent.Type, pos: QPoint, button: Qt.MouseButton, buttons: Qt.MouseButton
    ) -> None:
        viewport = self.view.viewport()
        event = QMouseEvent(
            kind,
            QPointF(pos),
            QPointF(viewport.mapToGlobal(pos)),
            button,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(viewport, event)

    def press(self, x: float, y: float) -> None:
        self._send(QEvent.Type.MouseButtonPress, self.at(x, y), LEFT, LEFT)

    def move(self, x: float, y: float, held: bool = True) -> None:
        self._send(QEvent.Type.MouseMove, self.at(x, y), NONE, LEFT if held else NONE)

    def release(self, x: float, y: float) -> None:
        self._send(QEvent.Type.MouseButtonRelease, self.at(x, y), LEFT, NONE)
        QApplication.processEvents()

    def drag(self, points: list[tuple[float, float]]) -> None:
        self.press(*points[0])
        for p in points[1:]:
            self.move(*p)
        self.release(*points[-1])

    def click(self, x: float, y: float) -> None:
        self.press(x, y)
        self.release(x, y)

    def double_click(self, x: float, y: float) -> None:
        self.press(x, y)
        self.release(x, y)
        self._send(QEvent.Type.MouseButtonDblClick, self.at(x, y), LEFT, LEFT)
        self.release(x, y)

    def key(self, key: Qt.Key) -> None:
        self.view.setFocus()
        QApplication.sendEvent(
            self.view, QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier)
        )
        QApplication.processEvents()
