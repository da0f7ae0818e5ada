"""A first waveform view: one lane per channel, spans and regions drawn from the project."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from isolde.core.spans import effective_spans
from isolde.core.state import ProjectState
from isolde.core.timecode import format_time

INCLUDE_BRUSH = QColor(60, 180, 90, 70)
EXCLUDE_BRUSH = QColor(220, 70, 70, 70)
INPAINT_BRUSH = QColor(90, 120, 230, 70)
WAVE_PEN = QColor(120, 200, 255)


class TimeAxis(pg.AxisItem):
    def tickStrings(self, values, scale, spacing):  # type: ignore[no-untyped-def]
        millis = spacing < 1
        return [format_time(max(0.0, v), millis=millis) for v in values]


class WaveformView(pg.GraphicsLayoutWidget):
    """Shows what it is given; holds no project state of its own."""

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("Waveform")
        self.setBackground(QColor(24, 26, 30))
        self._plots: list[pg.PlotItem] = []
        self._marks: list[pg.LinearRegionItem] = []
        self.duration = 0.0

    def show_envelope(self, env_min: np.ndarray, env_max: np.ndarray, duration: float) -> None:
        self.clear()
        self._plots = []
        self._marks = []
        self.duration = duration
        buckets, channels = env_max.shape
        x = np.linspace(0.0, duration, buckets, dtype=np.float64)
        for ch in range(channels):
            axis = {"bottom": TimeAxis(orientation="bottom")} if ch == channels - 1 else {}
            plot = self.addPlot(row=ch, col=0, axisItems=axis)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.showGrid(x=True, y=False, alpha=0.15)
            plot.setYRange(-1.0, 1.0, padding=0.02)
            plot.setLimits(xMin=0.0, xMax=max(duration, 1e-3), yMin=-1.05, yMax=1.05)
            plot.getAxis("left").setWidth(36)
            if ch != channels - 1:
                plot.getAxis("bottom").setStyle(showValues=False)
            upper = plot.plot(x, env_max[:, ch], pen=pg.mkPen(WAVE_PEN, width=1))
            lower = plot.plot(x, env_min[:, ch], pen=pg.mkPen(WAVE_PEN, width=1))
            plot.addItem(pg.FillBetweenItem(upper, lower, brush=pg.mkBrush(WAVE_PEN)))
            if self._plots:
                plot.setXLink(self._plots[0])
            self._plots.append(plot)
        if self._plots:
            self._plots[0].setXRange(0.0, max(duration, 1e-3), padding=0)

    def show_marks(self, state: ProjectState) -> None:
        for plot in self._plots:
            for item in list(plot.items):
                if isinstance(item, pg.LinearRegionItem):
                    plot.removeItem(item)
        self._marks = []
        pieces = [
            (s.start, s.end, INCLUDE_BRUSH if s.include else EXCLUDE_BRUSH)
            for s in effective_spans(state.spans)
        ]
        pieces += [(r.start, r.end, INPAINT_BRUSH) for r in state.regions]
        for plot in self._plots:
            for start, end, brush in pieces:
                region = pg.LinearRegionItem((start, end), movable=False, brush=pg.mkBrush(brush))
                region.setZValue(-10)
                plot.addItem(region)
                self._marks.append(region)

    @property
    def lane_count(self) -> int:
        return len(self._plots)

    @property
    def mark_count(self) -> int:
        return len(self._marks)
