"""The time ruler's labels and the grid behind the lanes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor
from timeline_helpers import open_window, write_tone_wav

from isolde.ui.timeline.time_axis import TimeAxis


@pytest.mark.parametrize(
    ("values", "spacing", "labels"),
    [
        ([0.0, 10.0], 10.0, ["0:00:00", "0:00:10"]),
        ([1.25, 1.5], 0.25, ["0:00:01.250", "0:00:01.500"]),
        (
            [864.9016, 864.9018, 864.9020, 864.9026],
            0.0002,
            ["0:14:24.901600", "0:14:24.901800", "0:14:24.902000", "0:14:24.902600"],
        ),
    ],
)
def test_labels_read_the_tick_times(qapp, values, spacing, labels) -> None:  # type: ignore[no-untyped-def]
    assert TimeAxis().tickStrings(values, 1.0, spacing) == labels


def test_the_grid_lines_sit_on_the_ruler_ticks_and_follow_the_theme_colour(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, write_tone_wav(tmp_path / "quiet.wav", 4.0, silent=True))
    timeline = window.timeline
    grid, axis = timeline.grid, timeline.plot.getAxis("bottom")
    assert grid.zValue() < 0  # behind the waveform and the marks
    grid.set_colour(QColor(255, 0, 0), 0.5)
    qtbot.wait(20)
    image = timeline.plot_widget.grab().toImage()
    view = timeline.view
    x0, x1 = view.viewRange()[0]
    major = axis.tickValues(x0, x1, view.width())[0][1]
    assert major, "no ticks in view"
    centre = view.mapToScene(view.boundingRect().center())  # between the two lanes
    y = timeline.plot_widget.mapFromScene(centre).y()
    hits = 0
    for t in major:
        x = timeline.plot_widget.mapFromScene(view.mapViewToScene(QPointF(t, 0))).x()
        near = [image.pixelColor(x + d, y) for d in (-1, 0, 1)]
        hits += any(c.red() > c.green() + 20 for c in near)
    assert hits == len(major)
