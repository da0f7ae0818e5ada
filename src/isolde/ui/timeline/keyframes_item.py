"""Mask keyframes on the timeline: a small diamond and a tick at each keyframe's time of the
selected mask object, in its colour, along the top of the original's lanes.

The mask tools tell it the times (they know the video's frame times); it draws only and takes
no clicks, so marks stay editable underneath.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPolygonF

TICK_PX = 14.0  # how far the tick reaches down from the top edge
DIAMOND_PX = 5.0  # half the diamond's width


class KeyframesItem(pg.GraphicsObject):
    def __init__(self) -> None:
        super().__init__()
        self.times: tuple[float, ...] = ()
        self.colour = QColor(255, 140, 0)
        self.duration = 1.0
        self.y_range = (-1.0, 1.0)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(18)  # over the marks and the edits strip, under the playhead

    def set_ticks(self, times: Sequence[float], colour: str | QColor | None = None) -> None:
        """Show ticks at these times (seconds); an empty list hides them."""
        self.times = tuple(float(t) for t in times)
        if colour is not None:
            self.colour = QColor(colour)
        self.update()

    def set_extent(self, duration: float, y_range: tuple[float, float]) -> None:
        self.prepareGeometryChange()
        self.duration, self.y_range = max(duration, 1e-9), y_range
        self.update()

    def boundingRect(self) -> QRectF:
        y0, y1 = self.y_range
        return QRectF(0.0, y0, self.duration, y1 - y0)

    def paint(self, painter: QPainter, *args) -> None:  # type: ignore[no-untyped-def]
        view = self.getViewBox()
        if not self.times or view is None:
            return
        (x0, x1), _ = view.viewRange()
        to_device = painter.transform()
        painter.save()
        painter.resetTransform()  # draw in pixels: the same size at every zoom
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        top = to_device.map(QPointF(0.0, self.y_range[1])).y()
        outline = QPen(QColor(20, 20, 20), 1)
        for t in self.times:
            if not x0 <= t <= x1:
                continue
            x = to_device.map(QPointF(t, 0.0)).x()
            painter.setPen(QPen(self.colour, 1.5))
            painter.drawLine(QPointF(x, top), QPointF(x, top + TICK_PX))
            d = DIAMOND_PX
            cy = top + d + 1
            diamond = QPolygonF(
                [QPointF(x, cy - d), QPointF(x + d, cy), QPointF(x, cy + d), QPointF(x - d, cy)]
            )
            painter.setPen(outline)
            painter.setBrush(QBrush(self.colour))
            painter.drawPolygon(diamond)
        painter.restore()
