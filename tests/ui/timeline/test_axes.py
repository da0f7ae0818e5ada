"""The timeline's left axis: dBFS on every waveform lane, Hz/kHz on the spectrogram (linear and
log), placed where the drawing puts them, and never crowded."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtGui import QColor
from timeline_helpers import write_tone_wav
from window_helpers import open_in_window

from isolde.audio import open_audio
from isolde.audio.pyramid import PeakPyramid
from isolde.ui.shell.main_window import MainWindow
from isolde.ui.timeline.lane_axis import (
    MIN_GAP_PX,
    FrequencyBand,
    LevelLane,
    frequency_label,
    lane_ticks,
)
from isolde.ui.timeline.take_lanes import LaneSpec
from isolde.ui.timeline.waveform_layer import LANE_GAP

pytest.importorskip("pytestqt")

RATE = 48_000


def _labels(ticks: list[tuple[float, str]]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for y, label in ticks:
        out.setdefault(label, []).append(y)
    return out


def test_a_tall_lane_reads_full_scale_minus_6_minus_12_and_silence() -> None:
    ticks = _labels(lane_ticks([LevelLane(0.0)], px_per_unit=200, lo=-1.05, hi=1.05))
    assert ticks["0"] == [-1.0, 1.0]
    assert ticks["−∞"] == [0.0]
    assert np.allclose(ticks["−6"], [-(10 ** (-6 / 20)), 10 ** (-6 / 20)])
    assert np.allclose(ticks["−12"], [-(10 ** (-12 / 20)), 10 ** (-12 / 20)])


def test_crowded_lanes_keep_the_important_labels_and_never_overlap() -> None:
    lanes = [LevelLane(0.0), LevelLane(-(2 + LANE_GAP)), LevelLane(-2 * (2 + LANE_GAP))]
    px = 22.0  # three lanes squeezed into ~140 px
    ticks = lane_ticks(lanes, px_per_unit=px, lo=-7.0, hi=1.05)
    ys = [y for y, _ in ticks]
    assert min(np.diff(ys)) * px >= MIN_GAP_PX
    for lane in lanes:  # each lane still shows its full scale and its silence
        assert (lane.centre + 1.0, "0") in ticks and (lane.centre, "−∞") in ticks


def test_frequency_ticks_follow_a_log_and_a_linear_axis() -> None:
    log = FrequencyBand(0.0, 1.0, 20.0, 20_000.0, log=True)
    ticks = dict((label, y) for y, label in lane_ticks([log], 400, 0.0, 1.0))
    assert {"100", "1k", "10k"} <= set(ticks)
    assert ticks["1k"] == pytest.approx(math.log(1000 / 20) / math.log(1000))
    linear = FrequencyBand(0.0, 1.0, 0.0, 24_000.0, log=False)
    ticks = dict((label, y) for y, label in lane_ticks([linear], 400, 0.0, 1.0))
    assert ticks["0"] == 0.0 and ticks["10k"] == pytest.approx(10 / 24)
    assert frequency_label(500) == "500" and frequency_label(2500) == "2.5k"


def _window(qtbot, path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    return open_in_window(qtbot, path, (1280, 800))


def test_the_level_axis_is_shown_left_of_every_lane(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, write_tone_wav(tmp_path / "stereo.wav", 2.0, channels=2))
    axis = window.timeline.level_axis
    assert axis.isVisible() and 0 < axis.width() <= 40
    centres = [section.centre for section in axis.sections]
    assert centres == pytest.approx([0.0, -(2 + LANE_GAP)])
    labels = _labels(axis.ticks())
    assert labels["−∞"] == pytest.approx(centres[::-1]) and len(labels["0"]) >= 2
    window.actions_by_key["combined"].setChecked(True)
    assert [section.centre for section in axis.sections] == [0.0]


def _tone(path: Path, hz: float) -> Path:
    t = np.arange(2 * RATE) / RATE
    sf.write(path, (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32), RATE)
    return path


def _brightest_row_y(window: MainWindow) -> float:
    layer = window.timeline.spectrogram
    image = layer.image.image
    row = int(np.argmax(image.mean(axis=1)))  # row 0 is drawn at the bottom (y0)
    y0, y1 = layer.extent
    return y0 + (row + 0.5) * (y1 - y0) / image.shape[0]


# 10k and 1k are ticks at any lane height (the linear step is 2k or 5k by the room there is)
@pytest.mark.parametrize(("log", "hz", "label"), [(False, 10000.0, "10k"), (True, 1000.0, "1k")])
def test_a_tone_sits_at_its_tick(qtbot, tmp_path: Path, log: bool, hz: float, label: str) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, _tone(tmp_path / "tone.wav", hz))
    timeline = window.timeline
    window.actions_by_key["log_frequency"].setChecked(log)
    window.actions_by_key["spectrogram"].setChecked(True)
    qtbot.waitUntil(
        lambda: (
            not timeline.spectrogram.busy
            and timeline.spectrogram.image.image is not None
            and timeline.spectrogram.frequency_scale()[2] == log
        ),
        timeout=20_000,
    )
    (band,) = timeline.level_axis.sections
    assert isinstance(band, FrequencyBand) and band.log == log and band.f_high == RATE / 2
    ticks = dict((label, y) for y, label in timeline.level_axis.ticks())
    y0, y1 = timeline.spectrogram.extent
    row_height = (y1 - y0) / timeline.spectrogram.image.image.shape[0]
    assert label in ticks
    assert abs(_brightest_row_y(window) - ticks[label]) <= 1.5 * row_height
    assert not any(isinstance(s, LevelLane) for s in timeline.level_axis.sections)
    window.actions_by_key["spectrogram"].setChecked(False)
    assert all(isinstance(s, LevelLane) for s in timeline.level_axis.sections)


def test_take_lanes_get_their_own_level_scale(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_tone_wav(tmp_path / "mono.wav", 2.0, channels=1)
    window = _window(qtbot, path)
    timeline = window.timeline
    pyramid = PeakPyramid.open(open_audio(path), cache=False)
    timeline.set_take_lanes([LaneSpec("target", "Target", pyramid, QColor(120, 215, 150))])
    (layer,) = timeline.take_lanes.layers
    assert [s.centre for s in timeline.level_axis.sections] == pytest.approx([0.0, layer.base])
    labels = _labels(timeline.level_axis.ticks())
    assert layer.base == pytest.approx(min(labels["−∞"]))  # the take lane's silence is labelled
    timeline.set_take_lanes([])
    assert [s.centre for s in timeline.level_axis.sections] == [0.0]
