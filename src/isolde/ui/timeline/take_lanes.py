"""The take lanes under the original: one combined waveform per take file, labelled.

They live in the timeline's own plot, below the original's lanes, so they share its x axis,
zoom and playhead with nothing to keep in step. Labels are pinned to the left edge of the view
and mark the lanes being heard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import pyqtgraph as pg
from PySide6.QtGui import QColor

from isolde.audio.pyramid import PeakPyramid
from isolde.ui.timeline.waveform_layer import LANE_GAP, WaveformLayer

LANE_COLOURS = {
    "target": QColor(120, 215, 150),
    "residual": QColor(235, 170, 95),
    "inpainted": QColor(150, 165, 255),
}
LABEL_COLOUR = QColor(225, 225, 225)
HEARD_COLOUR = QColor(255, 210, 80)  # the playhead's colour: what is heard now
LANE_HEIGHT = 2.0 + LANE_GAP


@dataclass(frozen=True)
class LaneSpec:
    name: str  # the player's lane name: "target", "b.residual", ...
    label: str
    pyramid: PeakPyramid
    colour: QColor


def lane_colour(role: str, side_b: bool) -> QColor:
    colour = QColor(LANE_COLOURS.get(role, QColor(180, 180, 180)))
    return colour.darker(125) if side_b else colour


class TakeLanes:
    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.specs: list[LaneSpec] = []
        self.layers: list[WaveformLayer] = []
        self.labels: list[pg.TextItem] = []
        self.heard: set[str] = set()
        self.original_text = "Original"  # "Edited" once applied edits are heard on this lane
        self.original_label = self._label("Original")
        self.original_label.hide()
        self.sample_rate = 48_000

    @property
    def names(self) -> list[str]:
        return [spec.name for spec in self.specs]

    @property
    def complete(self) -> bool:
        return all(spec.pyramid.complete for spec in self.specs)

    def set_lanes(self, specs: list[LaneSpec], sample_rate: int) -> None:
        for layer in self.layers:
            layer.set_pyramid(None, sample_rate, 0)  # takes its curves off the plot
        for label in self.labels:
            self.plot.removeItem(label)
        self.specs, self.sample_rate = list(specs), sample_rate
        self.layers, self.labels = [], []
        for spec in self.specs:
            layer = WaveformLayer(self.plot, spec.colour, combined=True)
            layer.set_pyramid(spec.pyramid, sample_rate, spec.pyramid.frames)
            self.layers.append(layer)
            self.labels.append(self._label(spec.label))
            if not spec.pyramid.complete:
                spec.pyramid.start_background()
        self.original_label.setVisible(bool(self.specs))
        self._colour_labels()

    def relabel(self, labels: dict[str, str]) -> None:
        """New label texts by lane name (a take was renamed); the waveforms stay."""
        self.specs = [replace(s, label=labels.get(s.name, s.label)) for s in self.specs]
        self._colour_labels()

    def place(self, top: float) -> float:
        """Put the lanes one under another from `top` down; returns the bottom."""
        y = top
        for layer in self.layers:
            layer.base = y - LANE_GAP - 1.0
            y -= LANE_HEIGHT
        return y

    def lane_centre(self, name: str) -> float | None:
        for spec, layer in zip(self.specs, self.layers, strict=True):
            if spec.name == name:
                return layer.base
        return None

    def set_visible_waveforms(self, visible: bool) -> None:
        for layer in self.layers:
            layer.set_visible(visible)

    def refresh(self, x0: float, x1: float, columns: int) -> None:
        self.original_label.setPos(x0, 1.0)
        for layer, label in zip(self.layers, self.labels, strict=True):
            layer.refresh(x0, x1, columns)
            label.setPos(x0, layer.base + 1.0)

    def set_heard(self, heard: Iterable[str]) -> None:
        self.heard = set(heard)
        self._colour_labels()

    def set_original_text(self, text: str) -> None:
        self.original_text = text
        self._colour_labels()

    def _colour_labels(self) -> None:
        self._paint(self.original_label, self.original_text, "original" in self.heard)
        for spec, label in zip(self.specs, self.labels, strict=True):
            self._paint(label, spec.label, spec.name in self.heard)

    @staticmethod
    def _paint(label: pg.TextItem, text: str, heard: bool) -> None:
        label.setText(f"▶ {text}" if heard else text, color=HEARD_COLOUR if heard else LABEL_COLOUR)

    def _label(self, text: str) -> pg.TextItem:
        label = pg.TextItem(text, color=LABEL_COLOUR, anchor=(0, 0), fill=pg.mkBrush(0, 0, 0, 120))
        label.setZValue(25)
        self.plot.addItem(label, ignoreBounds=True)
        return label
