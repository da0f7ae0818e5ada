"""The timeline's view box: horizontal-only navigation that never shows beyond the file's ends."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt

# Deepest zoom: this many samples across the view.
MIN_VISIBLE_SAMPLES = 100
ZOOM_STEP = 1.25


class TimelineViewBox(pg.ViewBox):
    """Wheel zooms around the cursor; Shift+wheel and horizontal trackpad motion scroll."""

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=False, y=False)  # drags belong to the marks; wheel is handled here
        self.duration = 1.0
        self.sample_rate = 48_000

    def set_extent(self, duration: float, sample_rate: int, y_range: tuple[float, float]) -> None:
        self.duration = max(duration, 1.0 / sample_rate)
        self.sample_rate = sample_rate
        min_range = min(self.duration, MIN_VISIBLE_SAMPLES / sample_rate)
        self.setLimits(
            xMin=0.0,
            xMax=self.duration,
            minXRange=min_range,
            maxXRange=self.duration,
            yMin=y_range[0],
            yMax=y_range[1],
        )
        self.setYRange(*y_range, padding=0)
        self.setXRange(0.0, self.duration, padding=0)

    # -- navigation ---------------------------------------------------------------------------
    def visible(self) -> tuple[float, float]:
        (x0, x1), _ = self.viewRange()
        return float(x0), float(x1)

    def show_range(self, start: float, end: float) -> None:
        """Show [start, end], clamped to the file and to the deepest zoom."""
        width = max(end - start, self.state["limits"]["xRange"][0] or 0.0)
        width = min(width, self.duration)
        start = min(max(0.0, start), self.duration - width)
        self.setXRange(start, start + width, padding=0)

    def zoom(self, factor: float, anchor: float | None = None) -> None:
        """factor < 1 zooms in. The anchor time stays where it is on screen."""
        x0, x1 = self.visible()
        anchor = (x0 + x1) / 2 if anchor is None else anchor
        anchor = min(max(anchor, x0), x1)
        width = (x1 - x0) * factor
        frac = (anchor - x0) / (x1 - x0) if x1 > x0 else 0.5
        self.show_range(anchor - frac * width, anchor - frac * width + width)

    def pan(self, fraction: float) -> None:
        x0, x1 = self.visible()
        shift = (x1 - x0) * fraction
        self.show_range(x0 + shift, x1 + shift)

    def zoom_to_fit(self) -> None:
        self.show_range(0.0, self.duration)

    def mouseDragEvent(self, ev, axis=None) -> None:  # type: ignore[no-untyped-def]
        ev.ignore()  # drags create and edit marks: let them reach the marks item below

    def wheelEvent(self, ev, axis=None) -> None:  # type: ignore[no-untyped-def]
        # A scene wheel event carries one delta and its orientation (trackpads send both kinds).
        horizontal = ev.orientation() == Qt.Orientation.Horizontal
        dx, dy = (ev.delta(), 0) if horizontal else (0, ev.delta())
        shift = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if shift and dx == 0:
            dx, dy = dy, 0  # Shift+wheel scrolls sideways
        if dx:
            self.pan(-dx / 120 * 0.1)
        elif dy:
            anchor = self.mapSceneToView(ev.scenePos()).x()
            self.zoom(ZOOM_STEP ** (-dy / 120), anchor)
        ev.accept()
