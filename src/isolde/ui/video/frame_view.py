"""One video frame in a zoomable view, with a translucent mask overlay and the hook the mask
tools draw through.

Coordinates: the scene *is* the image — one scene unit per image pixel, (0, 0) the top-left
corner of the top-left pixel, pixel (i, j) covering [i, i+1) × [j, j+1), in display orientation
(rotation applied), the same coordinates as `isolde.core.masks`.

Layers, bottom to top: the picture; the overlay (`set_overlay` / `set_overlays`: boolean masks
drawn in their colours at `alpha`, with a solid outline; `set_overlay_image`: one made ready off
the GUI thread — the viewer fills it with every mask object of the project on the frame shown, so
a tool need not draw committed masks); `tool_layer`, an empty item in image
coordinates where a tool puts its unfinished shape (rubber band, polygon so far, brush cursor) as
child QGraphicsItems, which it removes itself.

The tool handler (the contract with ui/video/mask_tools.py and paint.py):

- `set_tool_handler(handler, cursor)` installs one `ToolHandler` (None: no tool, the mouse pans).
  Installing another, or None, first calls the old handler's `cancel()`.
- A left or right press over the view is offered to `handler.press(event)`. Returning True means
  the tool takes the gesture: the following `move` and the `release` go to it and the view does
  not pan. Returning False lets the view pan with that drag. The middle button always pans.
- `move(event)` arrives on every mouse move — with buttons held during a taken gesture, with
  none while hovering (for a brush cursor); never while the view pans.
- `release(event)` ends a taken gesture. A double click arrives as press, release, then
  `double_click` in place of the second press (e.g. to close a polygon); its release is not sent.
- `cancel()`: drop an unfinished gesture without changing the project.
- Every event carries image coordinates (floats, may lie outside the image: see `inside`), the
  button, the buttons held, the keyboard modifiers and the view's zoom (view pixels per image
  pixel, for hit tolerances). The view does not know frames: the tool asks the viewer
  (`VideoViewer.current_frame`) at press time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPixmap, QTransform
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from isolde.ui.video.mask_worker import OVERLAY_ALPHA, overlay_rgba

MIN_ZOOM, MAX_ZOOM = 0.02, 32.0
ZOOM_STEP = 1.25


@dataclass(frozen=True)
class ToolEvent:
    x: float  # image pixels, display orientation
    y: float
    button: Qt.MouseButton  # the button pressed or released; NoButton for a move
    buttons: Qt.MouseButton  # the buttons held now (a flag combination)
    modifiers: Qt.KeyboardModifier
    inside: bool  # the point lies on the image
    zoom: float  # view pixels per image pixel


@runtime_checkable
class ToolHandler(Protocol):
    """What a mask tool implements to receive the mouse over the picture (see the module text)."""

    def press(self, event: ToolEvent) -> bool: ...

    def move(self, event: ToolEvent) -> None: ...

    def release(self, event: ToolEvent) -> None: ...

    def double_click(self, event: ToolEvent) -> None: ...

    def cancel(self) -> None: ...


def to_qimage(image: np.ndarray) -> QImage:
    """An H×W×3 RGB or H×W grey uint8 array as a QImage that owns its pixels."""
    data = np.ascontiguousarray(image, dtype=np.uint8)
    h, w = data.shape[:2]
    if data.ndim == 2:
        return QImage(data.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    if data.ndim == 3 and data.shape[2] == 3:
        return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    if data.ndim == 3 and data.shape[2] == 4:
        return QImage(data.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
    raise ValueError(f"cannot show an image of shape {image.shape}")


class FrameView(QGraphicsView):
    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Video picture")
        self.setAccessibleDescription(
            "The video frame at the playhead; Alt+Left and Alt+Right step one frame, the mask "
            "tools paint where the sound comes from"
        )
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(QColor("#1b1b1b"))
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._image = QGraphicsPixmapItem()
        self._overlay = QGraphicsPixmapItem()
        self._overlay.setZValue(1)
        self.tool_layer = QGraphicsRectItem()
        self.tool_layer.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)
        self.tool_layer.setZValue(2)
        for item in (self._image, self._overlay, self.tool_layer):
            self.scene().addItem(item)
        self._size: tuple[int, int] | None = None
        self._fit = True
        self._handler: ToolHandler | None = None
        self._tool_gesture = False
        self._pan_from: QPointF | None = None
        self._cursor = Qt.CursorShape.ArrowCursor

    # -- picture and overlay --------------------------------------------------------------
    @property
    def image_size(self) -> tuple[int, int] | None:
        """(width, height) of the picture shown, or None."""
        return self._size

    def set_image(self, image: np.ndarray | None) -> None:
        if image is None:
            self._image.setPixmap(QPixmap())
            self._size = None
            return
        h, w = image.shape[:2]
        self._image.setPixmap(QPixmap.fromImage(to_qimage(image)))
        if self._size != (w, h):
            self._size = (w, h)
            self.scene().setSceneRect(QRectF(0, 0, w, h))
            if self._fit:
                self._apply_fit()

    def set_overlay(self, mask: np.ndarray | None, color: str | QColor = "#ff8c00") -> None:
        """One boolean H×W mask drawn translucent in `color`; None clears the overlay."""
        self.set_overlays([] if mask is None else [(mask, color)])

    def set_overlays(
        self, layers: Sequence[tuple[np.ndarray, str | QColor]], alpha: float = OVERLAY_ALPHA
    ) -> None:
        """Several masks, each in its colour, later ones on top; empty clears the overlay."""
        kept = [(m, QColor(c).name()) for m, c in layers if m is not None and m.any()]
        self.set_overlay_image(overlay_rgba(kept, alpha) if kept else None)

    def set_overlay_image(self, rgba: np.ndarray | None) -> None:
        """A ready overlay (H×W×4 RGBA, e.g. made off the GUI thread); None clears it."""
        if rgba is None:
            self._overlay.setPixmap(QPixmap())
            return
        self._overlay.setPixmap(QPixmap.fromImage(to_qimage(rgba)))

    @property
    def has_overlay(self) -> bool:
        return not self._overlay.pixmap().isNull()

    # -- zoom -----------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return float(self.transform().m11())

    @property
    def fitting(self) -> bool:
        return self._fit

    def fit(self) -> None:
        """Fit the picture to the view (and keep fitting as the view is resized)."""
        self._fit = True
        self._apply_fit()

    def actual_size(self) -> None:
        """100 %: one image pixel per screen pixel."""
        self.set_zoom(1.0)

    def zoom_by(self, ratio: float) -> None:
        self.set_zoom(self.zoom * ratio)

    def set_zoom(self, factor: float) -> None:
        self._fit = False
        factor = min(max(factor, MIN_ZOOM), MAX_ZOOM)
        self.setTransform(QTransform.fromScale(factor, factor))
        self._zoom_done()

    def _apply_fit(self) -> None:
        if self._size is None:
            return
        w, h = self._size
        area = self.viewport().rect()
        factor = max(min(area.width() / w, area.height() / h), MIN_ZOOM)
        self.setTransform(QTransform.fromScale(factor, factor))
        self.centerOn(w / 2, h / 2)
        self._zoom_done()

    def _zoom_done(self) -> None:
        smooth = self.zoom < 1.0  # magnified pixels stay sharp, so they can be painted exactly
        mode = (
            Qt.TransformationMode.SmoothTransformation
            if smooth
            else (Qt.TransformationMode.FastTransformation)
        )
        self._image.setTransformationMode(mode)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        self.zoom_changed.emit(self.zoom)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        if self._fit:
            self._apply_fit()

    def wheelEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP**steps)
        event.accept()

    # -- tools ----------------------------------------------------------------------------
    def set_tool_handler(
        self,
        handler: ToolHandler | None,
        cursor: Qt.CursorShape = Qt.CursorShape.CrossCursor,
    ) -> None:
        if self._handler is not None and self._handler is not handler:
            self._handler.cancel()
        self._handler = handler
        self._tool_gesture = False
        self._cursor = cursor if handler is not None else Qt.CursorShape.ArrowCursor
        self.viewport().setCursor(self._cursor)

    def _tool_event(self, event: QMouseEvent, button: Qt.MouseButton) -> ToolEvent:
        p = self.mapToScene(event.position().toPoint())
        w, h = self._size or (0, 0)
        return ToolEvent(
            x=p.x(),
            y=p.y(),
            button=button,
            buttons=event.buttons(),
            modifiers=event.modifiers(),
            inside=0 <= p.x() < w and 0 <= p.y() < h,
            zoom=self.zoom,
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        button = event.button()
        offer = (
            self._handler is not None
            and self._size is not None
            and button
            in (
                Qt.MouseButton.LeftButton,
                Qt.MouseButton.RightButton,
            )
        )
        if offer and self._handler.press(self._tool_event(event, button)):  # type: ignore[union-attr]
            self._tool_gesture = True
            event.accept()
            return
        if button in (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            h, v = self.horizontalScrollBar(), self.verticalScrollBar()
            h.setValue(h.value() - round(delta.x()))
            v.setValue(v.value() - round(delta.y()))
            event.accept()
            return
        if self._handler is not None and self._size is not None:
            self._handler.move(self._tool_event(event, Qt.MouseButton.NoButton))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._tool_gesture and self._handler is not None:
            self._tool_gesture = False
            self._handler.release(self._tool_event(event, event.button()))
            event.accept()
            return
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().setCursor(self._cursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._handler is not None and self._size is not None:
            self._handler.double_click(self._tool_event(event, event.button()))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)
