"""Suggested spans on the timeline: ghost marks (dashed outline, hatched fill, a "?" label) in the
kind's colour, until the user accepts or rejects them in the proposals panel.

Drawn only; it takes no clicks, so the real marks underneath stay editable.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from isolde.ui.marks.palette import KIND_COLOURS

HATCH_ALPHA = 70
LABEL_MIN_PX = 16


@dataclass(frozen=True)
class Ghost:
    id: str
    kind: str
    start: float
    end: float


class ProposalsItem(pg.GraphicsObject):
    def __init__(self) -> None:
        super().__init__()
        self.ghosts: list[Ghost] = []
        self.current: str | None = None  # the one picked in the panel, drawn stronger
        self.duration = 1.0
        self.y_range = (-1.0, 1.0)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(8)  # over the lanes and the marks' fills, under the playhead
        self.setVisible(False)  # nothing proposed: Qt skips the item in every repaint

    def set_ghosts(self, ghosts: list[Ghost], duration: float, current: str | None = None) -> None:
        self.prepareGeometryChange()
        self.ghosts, self.duration, self.current = ghosts, max(duration, 1e-6), current
        self.setVisible(bool(ghosts))
        self.update()

    def set_current(self, ghost_id: str | None) -> None:
        self.current = ghost_id
        self.update()

    def set_y_range(self, y_range: tuple[float, float]) -> None:
        self.prepareGeometryChange()
        self.y_range = y_range
        self.update()

    def boundingRect(self) -> QRectF:
        y0, y1 = self.y_range
        return QRectF(0.0, y0, self.duration, y1 - y0)

    def paint(self, painter: QPainter, *args) -> None:  # type: ignore[no-untyped-def]
        if not self.ghosts:
            return
        # In pixels: hatching and dashes would otherwise stretch with the zoom.
        transform = painter.transform()
        y0, y1 = self.y_range
        painter.save()
        painter.resetTransform()
        for ghost in self.ghosts:
            rect = transform.mapRect(QRectF(ghost.start, y0, ghost.end - ghost.start, y1 - y0))
            rect = rect.adjusted(1, 2, -1, -2)
            colour = KIND_COLOURS.get(ghost.kind, QColor(200, 200, 200))
            strong = ghost.id == self.current
            hatch = QColor(colour)
            hatch.setAlpha(HATCH_ALPHA * (2 if strong else 1))
            edge = QPen(colour.lighter(140 if strong else 115), 2.5 if strong else 1.5)
            edge.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(edge)
            painter.setBrush(QBrush(hatch, Qt.BrushStyle.BDiagPattern))
            painter.drawRect(rect)
            if strong:  # the one picked in the panel: a faint solid wash as well
                wash = QColor(colour)
                wash.setAlpha(45)
                painter.fillRect(rect, wash)
            label = f"{ghost.kind}?"
            if painter.fontMetrics().horizontalAdvance(label) > rect.width() - 10:
                label = "?"  # too narrow for the word: still marked as a question
            if rect.width() >= LABEL_MIN_PX:
                painter.setPen(QPen(colour.lighter(150)))
                painter.drawText(
                    rect.adjusted(6, 4, -4, 0),
                    Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft,
                    label,
                )
        painter.restore()
