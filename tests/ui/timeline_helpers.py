"""Driving the timeline like a person: real mouse events on the plot's viewport."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from window_helpers import open_in_window

from isolde.ui.shell.main_window import MainWindow

RATE = 48_000
MOVE_INTERVAL_MS = 15


def write_tone_wav(path: Path, seconds: float, channels: int = 2, silent: bool = False) -> Path:
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    mono = np.zeros(n) if silent else 0.5 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(t))
    data = np.stack([mono * (1 - 0.3 * c) for c in range(channels)], axis=1)
    sf.write(path, data.astype(np.float32), RATE, subtype="PCM_16")
    return path


def open_window(qtbot, path: Path, size: tuple[int, int] = (1200, 500)) -> MainWindow:  # type: ignore[no-untyped-def]
    window = open_in_window(qtbot, path, size)
    pyramid = window.timeline.pyramid
    qtbot.waitUntil(lambda: pyramid is None or pyramid.complete, timeout=20_000)
    return window


def point_for(window: MainWindow, t: float, y: float = 0.0) -> QPoint:
    view = window.timeline.view
    widget = window.timeline.plot_widget
    scene = view.mapViewToScene(QPointF(t, y))
    return widget.mapFromScene(scene)


def _send(
    window: MainWindow,
    kind: QEvent.Type,
    pos: QPoint,
    button: Qt.MouseButton,
    buttons: Qt.MouseButton,
) -> None:
    viewport = window.timeline.plot_widget.viewport()
    local = QPointF(pos)
    event = QMouseEvent(
        kind,
        local,
        QPointF(viewport.mapToGlobal(pos)),
        button,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, event)


def mouse_drag(window: MainWindow, t0: float, t1: float, steps: int = 12) -> None:
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    start, end = point_for(window, t0), point_for(window, t1)
    _send(window, QEvent.Type.MouseButtonPress, start, left, left)
    for i in range(1, steps + 1):
        x = start.x() + (end.x() - start.x()) * i / steps
        QTest.qWait(MOVE_INTERVAL_MS)  # pyqtgraph drops mouse moves closer together than ~10 ms
        _send(window, QEvent.Type.MouseMove, QPoint(round(x), start.y()), none, left)
    _send(window, QEvent.Type.MouseButtonRelease, end, left, none)
    QApplication.processEvents()


def mouse_click(
    window: MainWindow, t: float, button: Qt.MouseButton = Qt.MouseButton.LeftButton
) -> None:
    pos = point_for(window, t)
    _send(window, QEvent.Type.MouseButtonPress, pos, button, button)
    _send(window, QEvent.Type.MouseButtonRelease, pos, button, Qt.MouseButton.NoButton)
    QApplication.processEvents()
