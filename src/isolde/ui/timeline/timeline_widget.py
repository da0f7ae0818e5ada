"""The timeline: ruler, waveform lanes (or spectrogram), marks, playhead and the overview strip."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from isolde.audio import AudioSource
from isolde.audio.pyramid import PeakPyramid
from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.ui.common.edit_state import EditState
from isolde.ui.common.theme import theme_signals, timeline_colours
from isolde.ui.marks.marks import find_mark
from isolde.ui.timeline.edits_item import STRIP_HEIGHT, EditsItem, bars_of
from isolde.ui.timeline.keyframes_item import KeyframesItem
from isolde.ui.timeline.lane_axis import FrequencyBand, LaneAxis, LevelLane, Section
from isolde.ui.timeline.layer_lanes import LayerLanes
from isolde.ui.timeline.marks_item import MarksItem
from isolde.ui.timeline.overview import OverviewStrip
from isolde.ui.timeline.proposals_item import ProposalsItem
from isolde.ui.timeline.spectrogram_layer import SpectrogramLayer
from isolde.ui.timeline.take_lanes import LaneSpec, TakeLanes
from isolde.ui.timeline.time_axis import TimeAxis
from isolde.ui.timeline.time_grid import TimeGrid
from isolde.ui.timeline.viewbox import ZOOM_STEP, TimelineViewBox
from isolde.ui.timeline.waveform_layer import WaveformLayer, lane_offsets, y_extent


class TimelineWidget(QWidget):
    seek_requested = Signal(float)
    context_requested = Signal(object, object)
    edit_requested = Signal(str)
    error = Signal(str)
    document_changed = Signal(bool)  # True: a file is shown, False: none
    playhead_set = Signal(float, bool)  # the playhead moved to t; True while following playback

    def __init__(self, edit_state: EditState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit_state = edit_state
        self.project: Project | None = None
        self.source: AudioSource | None = None
        self.pyramid: PeakPyramid | None = None
        self._unsubscribe = None

        self.view = TimelineViewBox()
        self.level_axis = LaneAxis()  # dBFS per lane, Hz on the spectrogram
        self.plot_widget = pg.PlotWidget(
            viewBox=self.view, axisItems={"bottom": TimeAxis(), "left": self.level_axis}
        )
        self.plot_widget.setAccessibleName("Timeline")
        self.plot_widget.hideButtons()
        self.plot = self.plot_widget.getPlotItem()
        self.grid = TimeGrid(self.plot.getAxis("bottom"))
        self.plot.addItem(self.grid, ignoreBounds=True)
        self.plot.setContentsMargins(0, 7, 0, 0)  # room for the top lane's "0" dB label
        self.waveform = WaveformLayer(self.plot)
        self.spectrogram = SpectrogramLayer(self.plot)
        self.spectrogram.shown.connect(self._update_axis)
        self.marks = MarksItem(edit_state)
        self.plot.addItem(self.marks)
        self.take_lanes = TakeLanes(self.plot)
        self.layer_lanes = LayerLanes(self.plot)  # the project's leaf layers, under the takes
        self.edits = EditsItem()
        self.plot.addItem(self.edits)
        self.proposals = ProposalsItem()  # suggested spans waiting to be accepted
        self.plot.addItem(self.proposals)
        self.keyframes = KeyframesItem()  # the selected mask object's keyframes (video)
        self.plot.addItem(self.keyframes)
        self.playhead_line = pg.InfiniteLine(0)
        self.playhead_line.setZValue(20)
        self.plot.addItem(self.playhead_line)
        self.in_line = pg.InfiniteLine(0, label="in", labelOpts={"position": 0.95})
        self.out_line = pg.InfiniteLine(0, label="out", labelOpts={"position": 0.95})
        for line in (self.in_line, self.out_line):
            line.setZValue(15)
            line.hide()
            self.plot.addItem(line)

        self.overview = OverviewStrip()
        self.apply_colours()
        theme_signals().changed.connect(self._theme_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.overview)
        layout.addWidget(self.plot_widget, 1)

        self.view.sigXRangeChanged.connect(self._range_changed)
        self.view.sigResized.connect(self._range_changed)
        self.overview.window_moved.connect(self.view.show_range)
        self.overview.centre_requested.connect(self.centre_on)
        self.marks.seek_requested.connect(self.seek_requested.emit)
        self.marks.context_requested.connect(self.context_requested.emit)
        self.marks.edit_requested.connect(self.edit_requested.emit)
        self.marks.error.connect(self.error.emit)
        edit_state.in_out_changed.connect(self._show_in_out)
        # Finer pyramid levels are filled on a worker; this timer shows them as they arrive.
        self._poll = QTimer(self, interval=100)
        self._poll.timeout.connect(self._check_pyramid)

    # -- colours --------------------------------------------------------------------------
    def apply_colours(self) -> None:
        """Draw with the current theme's timeline colours (`ui.common.theme`)."""
        colours = timeline_colours()
        self.plot_widget.setBackground(colours.background)
        self.overview.setBackground(colours.background)
        self.grid.set_colour(colours.axis_text, colours.grid_alpha)
        for axis in (self.plot.getAxis("bottom"), self.level_axis):
            axis.setTextPen(colours.axis_text)
            axis.setPen(colours.axis_text)
        self.playhead_line.setPen(pg.mkPen(colours.playhead, width=1.5))
        dashed = pg.mkPen(colours.in_out, width=1, style=pg.QtCore.Qt.PenStyle.DashLine)
        for line in (self.in_line, self.out_line):
            line.setPen(dashed)
            line.label.setColor(colours.in_out)
        self.waveform.set_colour(colours.waveform)
        self.overview.set_colours(colours.overview_wave, colours.overview_window)

    def _theme_changed(self, _name: str) -> None:
        self.apply_colours()
        if self.isVisible():  # a closed window's source is closed: nothing to redraw from
            self._range_changed()

    # -- document -------------------------------------------------------------------------
    def set_document(
        self, project: Project | None, source: AudioSource | None, pyramid: PeakPyramid | None
    ) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.pyramid is not None and self.pyramid is not pyramid:
            self.pyramid.cancel()
        self.project, self.source, self.pyramid = project, source, pyramid
        rate = source.sample_rate if source else 48_000
        frames = source.frames if source else 0
        duration = source.duration if source else 1.0
        self.waveform.set_pyramid(pyramid, rate, frames)
        self.spectrogram.set_source(source)
        self.take_lanes.set_lanes([], rate)
        self.layer_lanes.set_lanes([], rate)
        self.edits.set_bars(bars_of(project.state) if project else [], duration)
        self._apply_extent()
        self.marks.set_project(project, duration, rate)
        self.overview.set_document(pyramid, duration, frames)
        if project is not None:
            self._unsubscribe = project.subscribe(self._on_state)
        if pyramid is not None and not pyramid.complete:
            pyramid.start_background()
            self._poll.start()
        self.set_playhead(0.0)
        self._range_changed()
        self.document_changed.emit(source is not None)

    def _apply_extent(self) -> None:
        rate = self.source.sample_rate if self.source else 48_000
        duration = self.source.duration if self.source else 1.0
        self.view.set_extent(duration, rate, self._layout())

    def _layout(self) -> tuple[float, float]:
        """The original's lanes on top, then the applied-edits strip, then the take lanes."""
        original = y_extent(max(1, self.waveform.lanes))
        bottom, strip = original[0], (original[0], original[0])
        if self.edits.bars or self.take_lanes.specs:
            strip = (bottom - STRIP_HEIGHT, bottom - 0.05)
            bottom -= STRIP_HEIGHT
        if self.take_lanes.specs:
            bottom = self.take_lanes.place(bottom) - 0.05
        if self.layer_lanes.specs:
            bottom = self.layer_lanes.place(bottom - 0.1) - 0.05
        self.edits.set_geometry(strip, (original[0], 1.0))
        extent = (bottom, original[1])
        self.marks.set_y_range(extent)
        self.keyframes.set_extent(self.source.duration if self.source else 1.0, extent)
        self.proposals.set_y_range(extent)
        self.spectrogram.set_extent(original)
        self._update_axis()
        return extent

    def _update_axis(self) -> None:
        """The left axis follows the lanes: dBFS on each waveform, Hz over the spectrogram."""
        sections: list[Section] = []
        if self.source is not None:
            if self.spectrogram.enabled:
                low, high, log = self.spectrogram.frequency_scale()
                y0, y1 = self.spectrogram.extent
                sections.append(FrequencyBand(y0, y1, low, high, log))
            else:
                offsets = lane_offsets(self.waveform.lanes) + self.waveform.base
                sections += [LevelLane(float(c)) for c in offsets]
            sections += [LevelLane(layer.base) for layer in self.take_lanes.layers]
            sections += [LevelLane(layer.base) for layer in self.layer_lanes.layers]
        self.level_axis.set_sections(sections)

    def _relayout(self) -> None:
        """Lanes or the strip came or went: new vertical layout, same time range."""
        x0, x1 = self.view.visible()
        self._apply_extent()
        self.view.show_range(x0, x1)
        self._range_changed()

    def set_take_lanes(self, specs: list[LaneSpec]) -> None:
        """Show these take lanes under the original (an empty list removes them)."""
        self.take_lanes.set_lanes(specs, self.source.sample_rate if self.source else 48_000)
        self._relayout()
        if not self.take_lanes.complete:
            self._poll.start()

    def set_layer_lanes(self, specs: list[LaneSpec]) -> None:
        """Show these layer lanes under the take lanes (an empty list removes them)."""
        self.layer_lanes.set_lanes(specs, self.source.sample_rate if self.source else 48_000)
        self._relayout()
        if not self.layer_lanes.complete:
            self._poll.start()

    def _on_state(self, state: ProjectState, reason: str) -> None:
        self.marks.refresh()
        bars = bars_of(state)
        if bars != self.edits.bars:  # most changes (a drag step, typing) leave them alone
            had_strip = bool(self.edits.bars)
            self.edits.set_bars(bars, self.source.duration if self.source else 1.0)
            if had_strip != bool(bars) and not self.take_lanes.specs:
                self._relayout()
        if self.edit_state.selected and find_mark(state, self.edit_state.selected) is None:
            self.edit_state.select(None)

    def _check_pyramid(self) -> None:
        """While the pyramid fills, redraw what it covers so far; stop once it is exact."""
        done = (self.pyramid is None or self.pyramid.complete) and self.take_lanes.complete
        done = done and self.layer_lanes.complete
        self._range_changed()
        self.overview.redraw(self.pyramid, self.source.frames if self.source else 0)
        if done:
            self._poll.stop()

    # -- drawing --------------------------------------------------------------------------
    def _range_changed(self, *args) -> None:  # type: ignore[no-untyped-def]
        x0, x1 = self.view.visible()
        columns = max(1, int(self.view.width()))
        self.waveform.refresh(x0, x1, columns)
        self.take_lanes.refresh(x0, x1, columns)
        self.layer_lanes.refresh(x0, x1, columns)
        self.spectrogram.refresh(x0, x1, columns)
        self.overview.show_window(x0, x1)

    def set_combined(self, combined: bool) -> None:
        self.waveform.set_combined(combined)
        self._apply_extent()
        self.view.show_range(*self.view.visible())
        self._range_changed()

    def set_spectrogram(self, on: bool) -> None:
        self.spectrogram.set_enabled(on)
        self.waveform.set_visible(not on)
        self._update_axis()
        self._range_changed()

    def set_log_frequency(self, on: bool) -> None:
        self.spectrogram.set_log_frequency(on)
        self._update_axis()
        self._range_changed()

    # -- playhead and in/out --------------------------------------------------------------
    @property
    def playhead(self) -> float:
        return float(self.playhead_line.value())

    def set_playhead(self, t: float, *, follow: bool = False) -> None:
        self.playhead_line.setValue(t)
        if follow:
            x0, x1 = self.view.visible()
            if not x0 <= t <= x1:
                self.view.show_range(t, t + (x1 - x0))  # page along while playing
        self.playhead_set.emit(t, follow)

    def _show_in_out(self) -> None:
        for line, t in (
            (self.in_line, self.edit_state.in_point),
            (self.out_line, self.edit_state.out_point),
        ):
            line.setVisible(t is not None)
            if t is not None:
                line.setValue(t)

    # -- navigation -----------------------------------------------------------------------
    def zoom_in(self) -> None:
        self.view.zoom(1 / ZOOM_STEP**2, self._zoom_anchor())

    def zoom_out(self) -> None:
        self.view.zoom(ZOOM_STEP**2, self._zoom_anchor())

    def _zoom_anchor(self) -> float | None:
        x0, x1 = self.view.visible()
        return self.playhead if x0 <= self.playhead <= x1 else None

    def zoom_to_fit(self) -> None:
        self.view.zoom_to_fit()

    def zoom_to_selection(self) -> bool:
        """Zoom to the selected mark, else to the in/out range. False when there is neither."""
        mark = find_mark(self.project.state, self.edit_state.selected) if self.project else None
        target = (mark.start, mark.end) if mark else self.edit_state.in_out_range()
        if target is None:
            return False
        a, b = target
        margin = (b - a) * 0.05
        self.view.show_range(a - margin, b + margin)
        return True

    def pan(self, fraction: float) -> None:
        self.view.pan(fraction)

    def centre_on(self, t: float) -> None:
        x0, x1 = self.view.visible()
        half = (x1 - x0) / 2
        self.view.show_range(t - half, t + half)
