"""Faint vertical lines at the time ruler's ticks, behind the lanes.

pyqtgraph's own grid (`showGrid`) is drawn by the axis into a picture that spans the whole plot
and is replayed, alpha-blended and antialiased, on every repaint: on the benchmark's 1600×400
timeline that was about half of each repaint. These are the same tick positions (the ruler's own
`tickValues`), drawn directly as one batch of aliased hairlines per tick level.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen

from isolde.ui.timeline.time_axis import TimeAxis

LEVEL_ALPHA = (1.0, 0.45)  # major ticks, minor ticks (finer levels are not drawn)


class TimeGrid(pg.GraphicsObject):
    def __init__(self, axis: TimeAxis) -> None:
        super().__init__()
        self.axis = axis
        self.colour = QColor(255, 255, 255)
        self.alpha = 0.12
        self.setZValue(-10)  # behind the waveform and the marks

    def set_colour(self, colour: QColor, alpha: float) -> None:
        self.colour, self.alpha = QColor(colour), alpha
        self.update()

    def boundingRect(self) -> QRectF:
        view = self.getViewBox()
        return view.viewRect() if view is not None else QRectF()

    def viewRangeChanged(self) -> None:  # pyqtgraph calls this when the visible range moves
        self.prepareGeometryChange()

    def paint(self, painter: QPainter, *_args: object) -> None:
        view = self.getViewBox()
        if view is None or self.alpha <= 0:
            return
        rect = view.viewRect()
        width_px = max(view.width(), 1.0)
        levels = self.axis.tickValues(rect.left(), rect.right(), width_px)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        drawn: set[float] = set()
        for (_spacing, values), strength in zip(levels, LEVEL_ALPHA, strict=False):
            colour = QColor(self.colour)
            colour.setAlphaF(min(1.0, self.alpha * strength))
            pen = QPen(colour, 0)  # cosmetic hairline: one pixel whatever the zoom
            painter.setPen(pen)
            lines = [QLineF(x, rect.top(), x, rect.bottom()) for x in values if x not in drawn]
            drawn.update(values)
            if lines:
                painter.drawLines(lines)
