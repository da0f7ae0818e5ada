"""Draws the waveform for the visible range from the peak pyramid.

One curve per lane of vertical min–max strokes, one per pixel column (a ready envelope of a few
thousand points repaints in a few milliseconds, where pyqtgraph's own downsampling of millions
of points does not). Close in, the samples themselves are drawn as a line, with dots once they are
far enough apart to see.

Once edits are applied the main lanes draw the recording as edited (`set_edited`: the source's
peaks with the edited stretches' own peaks over them) and say so with an "Edited" badge.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from isolde.audio.edited_peaks import EditedPeaks
from isolde.audio.pyramid import PeakPyramid

WAVE_COLOUR = QColor(110, 190, 250)
BADGE_COLOUR = QColor(215, 160, 60)  # the applied-edits strip's remix colour
LANE_GAP = 0.15  # between lanes, in units of full scale
DOTS_BELOW_SAMPLES_PER_PX = 0.2


def lane_offsets(lanes: int) -> np.ndarray:
    """Centre of each lane; lane 0 on top, each lane spans ±1."""
    return -np.arange(lanes) * (2.0 + LANE_GAP)


def y_extent(lanes: int) -> tuple[float, float]:
    bottom = float(lane_offsets(lanes)[-1]) - 1.0 if lanes else -1.0
    return (bottom - 0.05, 1.05)


class WaveformLayer:
    def __init__(
        self, plot: pg.PlotItem, colour: QColor = WAVE_COLOUR, *, combined: bool = False
    ) -> None:
        self.plot = plot
        self.colour = colour
        self.base = 0.0  # y of lane 0's centre: take lanes sit below the original's
        self.pyramid: PeakPyramid | None = None
        self.edited: EditedPeaks | None = None  # drawn instead of the pyramid when set
        self._badge: pg.TextItem | None = None
        self.sample_rate = 48_000
        self.frames = 0
        self.combined = combined
        self.visible = True
        self._curves: list[pg.PlotCurveItem] = []
        self._samples: list[pg.PlotDataItem] = []
        self.mode = "empty"  # "envelope" | "samples"

    @property
    def lanes(self) -> int:
        if self.pyramid is None:
            return 0
        return 1 if self.combined else self.pyramid.channels

    @property
    def peaks(self) -> PeakPyramid | EditedPeaks | None:
        """What is drawn: the recording as edited when edits are applied, else as it is."""
        return self.edited if self.edited is not None else self.pyramid

    def set_pyramid(self, pyramid: PeakPyramid | None, sample_rate: int, frames: int) -> None:
        self.pyramid = pyramid
        self.edited = None  # a new document: its edits come after
        self._show_badge("")
        self.sample_rate = sample_rate
        self.frames = frames
        self._rebuild_items()

    def set_edited(self, edited: EditedPeaks | None, badge: str = "") -> None:
        """Draw the recording as edited (None: as it is), with `badge` at the lane's top right."""
        self.edited = edited
        self._show_badge(badge if edited is not None else "")

    def _show_badge(self, text: str) -> None:
        if not text:
            if self._badge is not None:
                self._badge.hide()
            return
        if self._badge is None:
            self._badge = pg.TextItem(
                color=BADGE_COLOUR, anchor=(1, 0), fill=pg.mkBrush(0, 0, 0, 140)
            )
            self._badge.setZValue(25)
            self.plot.addItem(self._badge, ignoreBounds=True)
        self._badge.setText(text)
        self._badge.show()

    def set_colour(self, colour: QColor) -> None:
        """Draw in `colour` from now on (the theme changed)."""
        self.colour = QColor(colour)
        pen = pg.mkPen(self.colour, width=1)
        for curve in self._curves:
            curve.setPen(pen)
        for dots in self._samples:
            dots.setPen(pen)
            dots.setSymbolBrush(pg.mkBrush(self.colour))

    def set_visible(self, visible: bool) -> None:
        self.visible = visible
        self._rebuild_items()

    def set_combined(self, combined: bool) -> None:
        self.combined = combined
        self._rebuild_items()

    def _rebuild_items(self) -> None:
        for item in self._curves + self._samples:
            self.plot.removeItem(item)
        self._curves, self._samples = [], []
        pen = pg.mkPen(self.colour, width=1)
        for _ in range(self.lanes if self.visible else 0):
            curve = pg.PlotCurveItem(pen=pen, connect="pairs", antialias=False)
            curve.setZValue(0)
            self.plot.addItem(curve)
            self._curves.append(curve)
            dots = pg.PlotDataItem(pen=pen, symbolPen=None, symbolBrush=pg.mkBrush(self.colour))
            dots.setZValue(0)
            self.plot.addItem(dots)
            self._samples.append(dots)

    def refresh(self, x0: float, x1: float, columns: int) -> None:
        """Redraw for the visible range [x0, x1] seconds at `columns` pixels."""
        if self._badge is not None:
            self._badge.setPos(x1, self.base + 1.0)
        if self.peaks is None or self.frames == 0 or not self.visible:
            return
        columns = max(1, int(columns))
        rate = self.sample_rate
        start = max(0, int(np.floor(x0 * rate)))
        stop = min(self.frames, int(np.ceil(x1 * rate)) + 1)
        if stop <= start:
            return
        offsets = lane_offsets(self.lanes) + self.base
        if (stop - start) <= 2 * columns:
            self._draw_samples(start, stop, columns, offsets)
        else:
            self._draw_envelope(start, stop, columns, offsets)

    def _draw_envelope(self, start: int, stop: int, columns: int, offsets: np.ndarray) -> None:
        lo, hi = self.peaks.envelope(start, stop, columns)  # type: ignore[union-attr]
        if self.combined:
            lo, hi = lo.min(axis=1, keepdims=True), hi.max(axis=1, keepdims=True)
        n = lo.shape[0]
        centres = start + (np.arange(n) + 0.5) * ((stop - start) / n)
        x = np.repeat(centres / self.sample_rate, 2)
        for lane, curve in enumerate(self._curves):
            y = np.empty(2 * n, np.float64)
            y[0::2] = lo[:, lane] + offsets[lane]
            y[1::2] = hi[:, lane] + offsets[lane]
            curve.setData(x, y, connect="pairs")
            curve.show()
        for dots in self._samples:
            dots.hide()
        self.mode = "envelope"

    def _draw_samples(self, start: int, stop: int, columns: int, offsets: np.ndarray) -> None:
        data = self.peaks.samples(start, stop)  # type: ignore[union-attr]
        if self.combined:
            data = data.mean(axis=1, keepdims=True)
        x = (start + np.arange(data.shape[0])) / self.sample_rate
        show_dots = data.shape[0] <= columns * DOTS_BELOW_SAMPLES_PER_PX
        for lane, dots in enumerate(self._samples):
            dots.setData(
                x, data[:, lane] + offsets[lane], symbol="o" if show_dots else None, symbolSize=5
            )
            dots.show()
        for curve in self._curves:
            curve.hide()
        self.mode = "samples"
