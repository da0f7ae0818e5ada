"""Applied edits on the timeline: a strip between the original's lanes and the take lanes with
one bar per edit (what and where), plus faint edges down through the original's lanes.

Drawn from the project's state only; it takes no clicks (marks stay editable underneath).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from isolde.core.edits import AppliedEdit
from isolde.core.errors import IsoldeError
from isolde.core.state import ProjectState
from isolde.ui.results.take_info import take_title

EDIT_COLOURS = {"remix": QColor(215, 160, 60), "inpaint": QColor(120, 140, 255)}
STRIP_HEIGHT = 0.55
MIN_TEXT_PX = 36


@dataclass(frozen=True)
class EditBar:
    id: str
    start: float
    end: float
    kind: str
    text: str


def edit_text(edit: AppliedEdit, title: str) -> str:
    if edit.kind == "inpaint":
        return f"repair · {title}"
    residual = "silent" if edit.residual_gain_db is None else f"{edit.residual_gain_db:+.1f} dB"
    return f"remix T {edit.target_gain_db:+.1f} dB / R {residual} · {title}"


def bars_of(state: ProjectState) -> list[EditBar]:
    bars = []
    for edit in state.edits:
        try:
            title = take_title(state.take(edit.take_id))
        except IsoldeError:  # a checked state always holds its edits' takes
            title = edit.take_id
        bars.append(EditBar(edit.id, edit.start, edit.end, edit.kind, edit_text(edit, title)))
    return bars


class EditsItem(pg.GraphicsObject):
    def __init__(self) -> None:
        super().__init__()
        self.bars: list[EditBar] = []
        self.duration = 1.0
        self.strip = (-1.0, -1.0)  # y range of the strip
        self.edges = (-1.0, 1.0)  # y range the edge lines run through (the original's lanes)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(5)

    def set_bars(self, bars: list[EditBar], duration: float) -> None:
        self.prepareGeometryChange()
        self.bars, self.duration = bars, duration
        self.update()

    def set_geometry(self, strip: tuple[float, float], edges: tuple[float, float]) -> None:
        self.prepareGeometryChange()
        self.strip, self.edges = strip, edges
        self.update()

    def boundingRect(self) -> QRectF:
        y0 = min(self.strip[0], self.edges[0])
        y1 = max(self.strip[1], self.edges[1])
        return QRectF(0.0, y0, self.duration, y1 - y0)

    def paint(self, painter: QPainter, *args) -> None:  # type: ignore[no-untyped-def]
        if not self.bars:
            return
        y0, y1 = self.strip
        for bar in self.bars:
            colour = EDIT_COLOURS.get(bar.kind, QColor(200, 200, 200))
            edge = QPen(colour, 0)
            edge.setCosmetic(True)
            edge.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(edge)
            for x in (bar.start, bar.end):
                painter.drawLine(QPointF(x, self.edges[0]), QPointF(x, self.edges[1]))
            fill = QColor(colour)
            fill.setAlpha(170)
            solid = QPen(colour.lighter(130), 0)
            solid.setCosmetic(True)
            painter.setPen(solid)
            painter.setBrush(QBrush(fill))
            painter.drawRect(QRectF(bar.start, y0, bar.end - bar.start, y1 - y0))
        self._paint_text(painter)

    def _paint_text(self, painter: QPainter) -> None:
        # Text in pixels: the view's transform would stretch it with the zoom.
        transform = painter.transform()
        y0, y1 = self.strip
        painter.save()
        painter.resetTransform()
        painter.setPen(QPen(QColor(20, 20, 20)))
        for bar in self.bars:
            rect = transform.mapRect(QRectF(bar.start, y0, bar.end - bar.start, y1 - y0))
            if rect.width() < MIN_TEXT_PX:
                continue
            inner = rect.adjusted(4, 0, -4, 0)
            text = painter.fontMetrics().elidedText(
                bar.text, Qt.TextElideMode.ElideRight, int(inner.width())
            )
            painter.drawText(
                inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text
            )
        painter.restore()
