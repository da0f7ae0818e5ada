"""The overview strip: the whole file, with the visible window as a draggable rectangle."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor

from isolde.audio.pyramid import PeakPyramid

WINDOW_BRUSH = QColor(255, 255, 255, 40)


class _OverviewBox(pg.ViewBox):
    clicked = Signal(float)

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=False, y=False)

    def mouseClickEvent(self, ev) -> None:  # type: ignore[no-untyped-def]
        ev.accept()
        self.clicked.emit(self.mapSceneToView(ev.scenePos()).x())

    def wheelEvent(self, ev, axis=None) -> None:  # type: ignore[no-untyped-def]
        ev.ignore()


class OverviewStrip(pg.PlotWidget):
    window_moved = Signal(float, float)  # the user dragged the window: show this range
    centre_requested = Signal(float)  # the user clicked outside the window

    def __init__(self) -> None:
        self.box = _OverviewBox()
        super().__init__(viewBox=self.box)
        self.setAccessibleName("Overview of the whole file")
        self.setAccessibleDescription(
            "The bright window is the part the timeline shows: drag it to scroll, click "
            "elsewhere to centre the timeline there"
        )
        self.setFixedHeight(56)
        self.hideAxis("left")
        self.hideAxis("bottom")
        self.setMenuEnabled(False)
        self.hideButtons()
        self.curve = pg.PlotCurveItem(pen=pg.mkPen(QColor(110, 190, 250, 180)), connect="pairs")
        self.addItem(self.curve)
        self.window = pg.LinearRegionItem((0, 1), brush=pg.mkBrush(WINDOW_BRUSH))
        self.window.setZValue(10)
        self.addItem(self.window)
        self.window.sigRegionChanged.connect(self._window_changed)
        self.box.clicked.connect(self.centre_requested.emit)
        self._updating = False
        self.duration = 1.0

    def set_colours(self, wave: QColor, window: QColor) -> None:
        """The theme's colours for the whole-file curve and the visible-window rectangle."""
        self.curve.setPen(pg.mkPen(wave))
        self.window.setBrush(pg.mkBrush(window))
        self.window.update()

    def set_document(self, pyramid: PeakPyramid | None, duration: float, frames: int) -> None:
        self.duration = max(duration, 1e-6)
        self.box.setLimits(xMin=0, xMax=self.duration)
        self.box.setRange(xRange=(0, self.duration), yRange=(-1, 1), padding=0)
        self.window.setBounds((0, self.duration))
        self.redraw(pyramid, frames)

    def redraw(self, pyramid: PeakPyramid | None, frames: int) -> None:
        if pyramid is None or frames == 0:
            self.curve.setData([], [])
            return
        columns = max(1, self.width())
        lo, hi = pyramid.envelope(0, frames, columns)
        n = lo.shape[0]
        x = np.repeat((np.arange(n) + 0.5) * (self.duration / n), 2)
        y = np.empty(2 * n)
        y[0::2] = lo.min(axis=1)
        y[1::2] = hi.max(axis=1)
        self.curve.setData(x, y, connect="pairs")

    def show_window(self, x0: float, x1: float) -> None:
        self._updating = True
        try:
            self.window.setRegion((x0, x1))
        finally:
            self._updating = False

    def _window_changed(self) -> None:
        if not self._updating:
            x0, x1 = self.window.getRegion()
            self.window_moved.emit(float(x0), float(x1))
