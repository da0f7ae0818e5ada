"""The mask tools' hand on the picture: rectangle and ellipse drags, polygon clicks (closed by a
double click or Enter; Escape drops it), brush and eraser strokes of the chosen size.

Each finished stroke or shape is one `Project.put_keyframe` call, so one undo step. Painting on a
frame that is not a keyframe starts from the mask shown there (interpolated or tracked), kept as
a bitmap under the new shape, so the correction makes that frame a keyframe. While a gesture is
under way its shape is drawn in the view's tool layer; the project changes only at the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem

from isolde.core.errors import IsoldeError
from isolde.core.masks import MaskKeyframe, MaskObject, MaskShape, Point
from isolde.core.project import Project
from isolde.ui.video.frame_view import FrameView, ToolEvent
from isolde.ui.video.mask_state import TOOL_TITLES, MaskTool, MaskToolState

PREVIEW_ALPHA = 140
CLOSE_PX = 8.0  # a polygon click this close (view pixels) to its first vertex closes it


class PaintContext(Protocol):
    """What the handler needs from the editor (see `mask_tools.MaskTools`)."""

    @property
    def project(self) -> Project | None: ...

    def current_frame(self) -> int | None: ...

    def shown_mask(self, obj: MaskObject, frame: int) -> np.ndarray | None: ...

    def message(self, text: str) -> None: ...


@dataclass
class _Gesture:
    tool: MaskTool
    mask_id: str
    frame: int
    points: list[Point] = field(default_factory=list)
    item: QGraphicsItem | None = None


def keyframe_with(
    obj: MaskObject, frame: int, shape: MaskShape, shown: np.ndarray | None
) -> MaskKeyframe:
    """The keyframe on `frame` after adding `shape`: appended to the keyframe there, else laid
    over the mask shown on that frame (as a bitmap) so a correction keeps what was there."""
    current = obj.keyframe(frame)
    if current is not None:
        return MaskKeyframe(frame, (*current.shapes, shape))
    base: tuple[MaskShape, ...] = ()
    if shown is not None and shown.any():
        from isolde.video.mask_raster import encode_bitmap

        base = (encode_bitmap(shown),)
    return MaskKeyframe(frame, (*base, shape))


class PaintHandler(QObject):
    """A `frame_view.ToolHandler` for the current tool of a `MaskToolState`."""

    def __init__(self, tools: MaskToolState, view: FrameView, context: PaintContext) -> None:
        super().__init__(view)
        self.tools = tools
        self.view = view
        self.context = context
        self._gesture: _Gesture | None = None
        self._cursor = QGraphicsEllipseItem()  # the brush outline under the mouse
        self._cursor.setPen(_cosmetic(QColor(255, 255, 255, 200)))
        self._cursor.setParentItem(view.tool_layer)
        self._cursor.hide()
        view.installEventFilter(self)
        view.viewport().installEventFilter(self)
        tools.tool_changed.connect(lambda _tool: self._tool_changed())
        tools.object_changed.connect(lambda _id: self.cancel())

    @property
    def busy(self) -> bool:
        """True while a stroke or shape is under way (nothing of it is in the project yet)."""
        return self._gesture is not None

    # -- the ToolHandler protocol ----------------------------------------------------------------
    def press(self, event: ToolEvent) -> bool:
        tool = self.tools.tool
        if tool is None or event.button != Qt.MouseButton.LeftButton:
            return False
        gesture = self._gesture
        if gesture is not None and gesture.tool is MaskTool.POLYGON:
            self._polygon_click(gesture, event)
            return True
        obj = self._object()
        frame = self.context.current_frame()
        if obj is None or frame is None:
            self.context.message(
                "Add a mask object first (Mask panel → Add)"
                if frame is not None
                else "Open a video to paint masks"
            )
            return False
        self._gesture = _Gesture(tool, obj.id, frame, [(event.x, event.y)])
        self._gesture.item = self._preview_item(obj)
        if tool is MaskTool.POLYGON:
            self._gesture.points.append((event.x, event.y))  # the rubber-band vertex
        self._redraw()
        return True

    def move(self, event: ToolEvent) -> None:
        self._move_cursor(event)
        gesture = self._gesture
        if gesture is None:
            return
        p = (event.x, event.y)
        if gesture.tool in (MaskTool.RECT, MaskTool.ELLIPSE, MaskTool.POLYGON):
            if len(gesture.points) == 1:
                gesture.points.append(p)
            gesture.points[-1] = p
        elif event.buttons & Qt.MouseButton.LeftButton:
            last = gesture.points[-1]
            step = max(1.0, self.tools.size / 6)
            if math.dist(last, p) >= step:
                gesture.points.append(p)
        self._redraw()

    def release(self, event: ToolEvent) -> None:
        gesture = self._gesture
        if gesture is None or gesture.tool is MaskTool.POLYGON:
            return
        if gesture.tool in (MaskTool.BRUSH, MaskTool.ERASER):
            p = (event.x, event.y)
            if math.dist(gesture.points[-1], p) > 0.5:
                gesture.points.append(p)
            shape = MaskShape(
                "stroke",
                tuple(gesture.points),
                size=self.tools.size,
                erase=gesture.tool is MaskTool.ERASER,
            )
            self._finish(shape)
            return
        a, b = gesture.points[0], (event.x, event.y)
        if abs(a[0] - b[0]) < 1 or abs(a[1] - b[1]) < 1:
            self.cancel()  # a click, not a drag: nothing to add
            return
        self._finish(MaskShape(gesture.tool.value, (a, b)))

    def double_click(self, event: ToolEvent) -> None:
        gesture = self._gesture
        if gesture is not None and gesture.tool is MaskTool.POLYGON:
            self.close_polygon()

    def cancel(self) -> None:
        gesture, self._gesture = self._gesture, None
        if gesture is not None and gesture.item is not None:
            self.view.scene().removeItem(gesture.item)

    # -- polygons -------------------------------------------------------------------------------
    def _polygon_click(self, gesture: _Gesture, event: ToolEvent) -> None:
        first = gesture.points[0]
        near = math.dist(first, (event.x, event.y)) * max(event.zoom, 1e-6) <= CLOSE_PX
        if near and len(gesture.points) >= 4:
            self.close_polygon()
            return
        fixed = gesture.points[:-1]
        if not fixed or math.dist(fixed[-1], (event.x, event.y)) > 0.5:
            gesture.points[-1] = (event.x, event.y)
            gesture.points.append((event.x, event.y))
        self._redraw()

    def close_polygon(self) -> None:
        """Enter or a double click: the vertices so far make the shape (three at least)."""
        gesture = self._gesture
        if gesture is None or gesture.tool is not MaskTool.POLYGON:
            return
        vertices: list[Point] = []
        for p in gesture.points[:-1]:  # the last point follows the mouse: not a corner
            if not vertices or math.dist(vertices[-1], p) > 0.5:
                vertices.append(p)
        if len(vertices) > 3 and math.dist(vertices[0], vertices[-1]) <= 0.5:
            vertices.pop()
        if len(vertices) < 3:
            self.context.message("A polygon needs at least three corners: keep clicking")
            return
        self._finish(MaskShape("polygon", tuple(vertices)))

    def _tool_changed(self) -> None:
        self.cancel()
        self._cursor.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self._cursor.hide()  # the brush outline only shows over the picture
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and self._gesture is not None
        ):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.close_polygon()
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.cancel()
                return True
        return super().eventFilter(watched, event)

    # -- committing -----------------------------------------------------------------------------
    def _finish(self, shape: MaskShape) -> None:
        gesture = self._gesture
        self.cancel()
        project = self.context.project
        if gesture is None or project is None:
            return
        try:
            obj = project.state.mask(gesture.mask_id)
            shown = (
                None if obj.keyframe(gesture.frame) else self.context.shown_mask(obj, gesture.frame)
            )
            keyframe = keyframe_with(obj, gesture.frame, shape, shown)
            verb = "Erase" if shape.erase else f"Paint {TOOL_TITLES[gesture.tool].lower()} on"
            project.put_keyframe(obj.id, keyframe, label=f"{verb} '{obj.name}'")
        except IsoldeError as exc:
            self.context.message(f"Could not paint: {exc}")

    def _object(self) -> MaskObject | None:
        project, mask_id = self.context.project, self.tools.object_id
        if project is None or mask_id is None:
            return None
        return next((m for m in project.state.masks if m.id == mask_id), None)

    # -- drawing the unfinished shape -----------------------------------------------------------
    def _preview_item(self, obj: MaskObject) -> QGraphicsPathItem:
        item = QGraphicsPathItem()
        colour = QColor(obj.color)
        erase = self.tools.tool is MaskTool.ERASER
        if self.tools.tool in (MaskTool.BRUSH, MaskTool.ERASER):
            paint = QColor(30, 30, 30, PREVIEW_ALPHA) if erase else QColor(colour)
            paint.setAlpha(PREVIEW_ALPHA)
            pen = QPen(paint, self.tools.size)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            item.setPen(pen)
        else:
            fill = QColor(colour)
            fill.setAlpha(PREVIEW_ALPHA // 2)
            item.setPen(_cosmetic(colour, 2))
            item.setBrush(QBrush(fill))
        item.setParentItem(self.view.tool_layer)
        return item

    def _redraw(self) -> None:
        gesture = self._gesture
        if gesture is None or not isinstance(gesture.item, QGraphicsPathItem):
            return
        pts = [QPointF(x, y) for x, y in gesture.points]
        path = QPainterPath()
        if gesture.tool in (MaskTool.RECT, MaskTool.ELLIPSE) and len(pts) == 2:
            rect = QRectF(pts[0], pts[1]).normalized()
            (path.addRect if gesture.tool is MaskTool.RECT else path.addEllipse)(rect)
        elif pts:
            path.moveTo(pts[0])
            for p in pts[1:]:
                path.lineTo(p)
            if len(pts) == 1:
                path.lineTo(pts[0] + QPointF(0.01, 0))  # a dot for a single brush dab
        gesture.item.setPath(path)

    def _move_cursor(self, event: ToolEvent) -> None:
        if self.tools.tool not in (MaskTool.BRUSH, MaskTool.ERASER):
            self._cursor.hide()
            return
        r = self.tools.size / 2
        self._cursor.setRect(QRectF(event.x - r, event.y - r, 2 * r, 2 * r))
        self._cursor.show()


def _cosmetic(colour: QColor, width: float = 1.0) -> QPen:
    pen = QPen(colour, width)
    pen.setCosmetic(True)
    return pen
