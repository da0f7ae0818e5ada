"""Spans and inpaint regions on the timeline: drawn from the project, edited by dragging.

Drawing follows the model's overlap rule: the fills are the effective pieces (the later span wins),
and every span's own edges are outlined so a covered span can still be found and grabbed. All
edits go through the project (one drag = one undo step); this item keeps only the drag in flight.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from isolde.core.errors import IsoldeError
from isolde.core.project import Project
from isolde.core.spans import SAM_GRID_S, effective_spans, snap
from isolde.ui.common.edit_state import EditState
from isolde.ui.marks.marks import Mark, add_mark, find_mark, marks_of, move_mark
from isolde.ui.marks.palette import KIND_COLOURS

COLOURS = KIND_COLOURS
FILL_ALPHA = 60
EDGE_GRAB_PX = 5.0


@dataclass
class _Drag:
    mode: str  # "create" | "move" | "start" | "end"
    mark: Mark | None
    anchor: float  # create: the pressed time; move: press time; resize: the fixed edge
    created_id: str | None = None


class MarksItem(pg.GraphicsObject):
    seek_requested = Signal(float)
    context_requested = Signal(object, object)  # mark id or None, QPoint (screen)
    edit_requested = Signal(str)
    error = Signal(str)

    def __init__(self, edit_state: EditState) -> None:
        super().__init__()
        self.edit_state = edit_state
        self.project: Project | None = None
        self.duration = 1.0
        self.sample_rate = 48_000
        self.y_range = (-1.0, 1.0)
        self._marks: list[Mark] = []
        self._pieces: list = []
        self._drag: _Drag | None = None
        self.setAcceptHoverEvents(True)
        self.setZValue(-5)
        edit_state.selection_changed.connect(lambda _id: self.update())

    # -- model ----------------------------------------------------------------------------
    def set_project(self, project: Project | None, duration: float, sample_rate: int) -> None:
        self.prepareGeometryChange()
        self.project = project
        self.duration = duration
        self.sample_rate = sample_rate
        self.refresh()

    def set_y_range(self, y_range: tuple[float, float]) -> None:
        self.prepareGeometryChange()
        self.y_range = y_range

    def refresh(self) -> None:
        state = self.project.state if self.project else None
        self._marks = marks_of(state) if state else []
        self._pieces = effective_spans(state.spans) if state else []
        self.update()

    # -- drawing --------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        y0, y1 = self.y_range
        return QRectF(0.0, y0, self.duration, y1 - y0)

    def paint(self, painter: QPainter, *args) -> None:  # type: ignore[no-untyped-def]
        view = self.getViewBox()
        if view is None:
            return
        (x0, x1), _ = view.viewRange()
        to_device = painter.transform()
        painter.save()
        painter.resetTransform()  # draw in pixels: crisp edges and an unscaled hatch
        y0, y1 = self.y_range

        def rect(a: float, b: float) -> QRectF:
            return to_device.mapRect(QRectF(a, y0, b - a, y1 - y0))

        for piece in self._pieces:
            if piece.end < x0 or piece.start > x1:
                continue
            colour = QColor(COLOURS[piece.kind])
            colour.setAlpha(FILL_ALPHA)
            painter.fillRect(rect(piece.start, piece.end), colour)
        selected = self.edit_state.selected
        for mark in self._marks:
            if mark.end < x0 or mark.start > x1:
                continue
            r = rect(mark.start, mark.end)
            colour = COLOURS[mark.kind]
            if mark.is_region:
                fill = QColor(colour)
                fill.setAlpha(90)
                painter.fillRect(r, QBrush(fill, Qt.BrushStyle.BDiagPattern))
            width = 2.5 if mark.id == selected else 1.0
            painter.setPen(QPen(colour, width))
            painter.drawLine(QPointF(r.left(), r.top()), QPointF(r.left(), r.bottom()))
            painter.drawLine(QPointF(r.right(), r.top()), QPointF(r.right(), r.bottom()))
            if mark.id == selected:
                band = QRectF(r.left(), r.top(), r.width(), 6)
                painter.fillRect(band, colour)
        painter.restore()

    # -- hit testing ----------------------------------------------------------------------
    def _px(self) -> float:
        view = self.getViewBox()
        if view is None or view.width() <= 0:
            return self.duration / 1000
        (x0, x1), _ = view.viewRange()
        return (x1 - x0) / view.width()

    def hit(self, t: float) -> tuple[Mark | None, str]:
        """The mark under time t, and which part: "start", "end", "body" or "" for none."""
        tol = EDGE_GRAB_PX * self._px()
        regions = [m for m in self._marks if m.is_region]
        spans = [m for m in self._marks if not m.is_region]
        # Topmost first: regions are drawn over spans; a later span wins over an earlier one.
        for mark in list(reversed(regions)) + list(reversed(spans)):
            if abs(t - mark.start) <= tol:
                return mark, "start"
            if abs(t - mark.end) <= tol:
                return mark, "end"
        for mark in list(reversed(regions)) + list(reversed(spans)):
            if mark.start < t < mark.end:
                return mark, "body"
        return None, ""

    def _time(self, t: float) -> float:
        t = min(max(t, 0.0), self.duration)
        if self.edit_state.snap:
            t = min(snap(t, SAM_GRID_S), self.duration)
        return t

    def hoverEvent(self, ev) -> None:  # type: ignore[no-untyped-def]
        if ev.isExit():
            self.unsetCursor()
            return
        _, part = self.hit(ev.pos().x())
        shape = {
            "start": Qt.CursorShape.SizeHorCursor,
            "end": Qt.CursorShape.SizeHorCursor,
            "body": Qt.CursorShape.OpenHandCursor,
        }.get(part, Qt.CursorShape.IBeamCursor)
        self.setCursor(shape)

    # -- clicks ---------------------------------------------------------------------------
    def mouseClickEvent(self, ev) -> None:  # type: ignore[no-untyped-def]
        t = ev.pos().x()
        mark, _ = self.hit(t)
        if ev.button() == Qt.MouseButton.RightButton:
            if mark is not None:
                self.edit_state.select(mark.id)
            self.context_requested.emit(mark.id if mark else None, ev.screenPos().toPoint())
            ev.accept()
            return
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        ev.accept()
        if ev.double() and mark is not None:
            self.edit_requested.emit(mark.id)
            return
        if mark is not None:
            self.edit_state.select(mark.id)
        else:
            self.edit_state.select(None)
        self.seek_requested.emit(min(max(t, 0.0), self.duration))

    # -- drags ----------------------------------------------------------------------------
    def mouseDragEvent(self, ev) -> None:  # type: ignore[no-untyped-def]
        if ev.button() != Qt.MouseButton.LeftButton or self.project is None:
            ev.ignore()
            return
        ev.accept()
        if ev.isStart():
            self._begin(ev.buttonDownPos().x())
        if self._drag is None:
            return
        try:
            self.drag_to(ev.pos().x())
        except IsoldeError as exc:
            self.error.emit(str(exc))
        if ev.isFinish():
            self.finish_drag()

    def _begin(self, t: float) -> None:
        mark, part = self.hit(t)
        if mark is None:
            self.begin_drag("create", None, self._time(t))
        elif part == "body":
            self.begin_drag("move", mark, t)
        else:
            fixed = mark.end if part == "start" else mark.start
            self.begin_drag(part, mark, fixed)

    def begin_drag(self, mode: str, mark: Mark | None, anchor: float) -> None:
        """Public so that tests and the benchmark can drive a drag without synthesising events."""
        assert self.project is not None
        self._drag = _Drag(mode, mark, anchor)
        if mode == "create":
            # Adding and sizing the new mark is one undo step.
            self.project.begin_group(f"Add {self.edit_state.tool.value}")
        elif mark is not None:
            self.edit_state.select(mark.id)

    def drag_to(self, t: float) -> None:
        drag, project = self._drag, self.project
        if drag is None or project is None:
            return
        min_len = 1.0 / self.sample_rate
        if drag.mode == "move" and drag.mark is not None:
            length = drag.mark.end - drag.mark.start
            start = self._time(drag.mark.start + (t - drag.anchor))
            start = min(max(0.0, start), self.duration - length)
            move_mark(project, drag.mark, start, start + length, merge_key=f"drag:{drag.mark.id}")
            return
        t = self._time(t)
        a, b = sorted((drag.anchor, t))
        if b - a < min_len:
            return
        if drag.mode == "create":
            if drag.created_id is None:
                drag.created_id = add_mark(project, self.edit_state.tool.value, a, b)
                return
            mark = find_mark(project.state, drag.created_id)
            if mark is not None:
                move_mark(project, mark, a, b)
        elif drag.mark is not None:
            move_mark(project, drag.mark, a, b, merge_key=f"drag:{drag.mark.id}")

    def finish_drag(self) -> None:
        drag, project = self._drag, self.project
        self._drag = None
        if drag is None or project is None:
            return
        if drag.mode == "create":
            project.end_group()
            if drag.created_id is not None:
                self.edit_state.select(drag.created_id)
        else:
            project.close_merge()

    @property
    def dragging(self) -> bool:
        return self._drag is not None
