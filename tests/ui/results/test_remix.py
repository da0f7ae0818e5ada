"""Remix: gains heard live, Apply (whole file, a range, an inpaint take's region), undo, the
applied edits on the timeline and in their list; and a screenshot of it all."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider
from take_helpers import (
    RATE,
    play_settled,
    pull_heard,
    scene_takes,
    takes_window,
    wait_lanes,
)
from window_helpers import save_screenshot

from isolde.audio import OutputFormat
from isolde.audio.pull_backend import PullBackend
from isolde.core.edits import RESIDUAL_GAIN_RANGE, TARGET_GAIN_RANGE
from isolde.jobs.export import export_state
from isolde.ui.results.remix_panel import (
    RESIDUAL_SILENT,
    residual_to_step,
    step_to_residual,
    step_to_target,
    target_to_step,
)


@pytest.fixture(scope="module")
def takes(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return scene_takes(tmp_path_factory.mktemp("remix"), other=True)


def test_remix_gains_are_heard_live(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    backend = PullBackend()
    window = takes_window(qtbot, takes, "spans", backend=backend)
    wait_lanes(qtbot, window, ["target", "residual"])
    panel, player = window.results_docks.remix_panel, window.transport.player
    play_settled(window, backend, 1.5)
    panel.set_gains(0.0, -18.0)
    lanes = player.lanes
    assert lanes["target"].gain_db == 0.0 and lanes["residual"].gain_db == -18.0
    assert lanes["target"].solo and lanes["residual"].solo and not lanes["original"].solo
    assert panel.residual_readout.text() == "-18.0 dB"
    assert panel.listen_buttons["remix"].isChecked()
    # What comes out is target + residual at −18 dB, once the 10 ms ramp has run.
    start, got = pull_heard(window, backend)
    got = got[960:]
    target = sf.read(takes["spans"].files["target"], dtype="float32")[0]
    residual = sf.read(takes["spans"].files["residual"], dtype="float32")[0]
    span = slice(start + 960, start + 960 + len(got))
    want = target[span] + 10 ** (-18 / 20) * residual[span]
    np.testing.assert_allclose(got, want, atol=1e-5)
    panel.set_gains(-6.0, None)  # the "silent" stop
    assert player.lanes["target"].gain_db == -6.0
    assert math.isinf(player.lanes["residual"].gain_db)
    assert panel.residual_readout.text() == "silent"
    panel.residual_slider.setValue(panel.residual_slider.maximum())
    assert player.lanes["residual"].gain_db == 6.0
    QTest.keyClick(window, Qt.Key.Key_2)  # a stem alone plays at unity
    assert player.lanes["target"].gain_db == 0.0 and player.lanes["target"].solo
    panel.mutes["original"].click()
    assert player.lanes["original"].mute


def test_apply_whole_file_and_ranges_each_one_undo_step(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    window = takes_window(qtbot, takes, "spans")
    wait_lanes(qtbot, window, ["target", "residual"])
    project, panel = window.project, window.results_docks.remix_panel
    edits_table = panel.edits_panel.table
    panel.set_gains(-1.5, -18.0)
    undo_steps = len(project.history.labels[0])
    assert not panel.apply_range_button.isEnabled()  # nothing chosen yet
    panel.apply_whole_button.click()
    (edit,) = project.state.edits
    assert (edit.start, edit.end, edit.fade_s) == (0.0, 4.0, 0.0)
    assert (edit.target_gain_db, edit.residual_gain_db) == (-1.5, -18.0)
    assert edit.take_id == takes["spans"].id and edit.kind == "remix"
    assert len(window.timeline.edits.bars) == 1 and edits_table.rowCount() == 1
    assert "remix" in window.timeline.edits.bars[0].text
    assert project.history.undo_label == "Apply remix"
    assert len(project.history.labels[0]) == undo_steps + 1  # one undo step
    project.undo()
    assert project.state.edits == () and window.timeline.edits.bars == []
    assert edits_table.rowCount() == 0
    assert len(project.history.labels[0]) == undo_steps

    mark = project.add_span(1.0, 2.0)
    window.edit_state.select(mark)
    assert panel.apply_range_button.isEnabled()
    QTest.keyClick(window, Qt.Key.Key_A)
    edit = project.state.edits[-1]
    assert (edit.start, edit.end, edit.fade_s) == (1.0, 2.0, 0.02)
    window.edit_state.select(None)
    window.edit_state.set_in(3.0)
    window.edit_state.set_out(2.5)
    QTest.keyClick(window, Qt.Key.Key_A)
    edit = project.state.edits[-1]
    assert (edit.start, edit.end) == (2.5, 3.0)
    assert len(project.state.edits) == 2 and len(window.timeline.edits.bars) == 2
    project.undo()
    assert len(project.state.edits) == 1
    # remove from the list, undo brings it back; the source file is never touched
    before = Path(takes["source"]).read_bytes()
    edits_table.selectRow(0)
    panel.edits_panel.remove_button.click()
    assert project.state.edits == ()
    project.undo()
    assert len(project.state.edits) == 1
    assert Path(takes["source"]).read_bytes() == before


def test_inpaint_take_applies_over_its_region(qtbot, takes, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = takes_window(qtbot, takes, "inpaint")
    wait_lanes(qtbot, window, ["inpainted"])
    player, panel = window.transport.player, window.results_docks.remix_panel
    assert not panel.target_slider.isEnabled() and not panel.apply_whole_button.isEnabled()
    QTest.keyClick(window, Qt.Key.Key_B)  # against the original
    assert player.lanes["inpainted"].solo and not player.lanes["original"].solo
    QTest.keyClick(window, Qt.Key.Key_B)
    assert player.lanes["original"].solo
    QTest.keyClick(window, Qt.Key.Key_A)
    (edit,) = window.project.state.edits
    assert (edit.kind, edit.start, edit.end) == ("inpaint", 1.5, 2.0)
    assert window.timeline.edits.bars[0].kind == "inpaint"
    out = export_state(window.project.state, tmp_path / "edited.wav", OutputFormat())
    edited = sf.read(out, dtype="float32")[0]
    source = sf.read(takes["source"], dtype="float32")[0]
    repaired = sf.read(takes["inpaint"].files["inpainted"], dtype="float32")[0]
    inside = slice(int(1.6 * RATE), int(1.9 * RATE))
    np.testing.assert_allclose(edited[inside], repaired[inside], atol=1e-5)
    np.testing.assert_allclose(edited[: int(1.4 * RATE)], source[: int(1.4 * RATE)], atol=1e-6)


def test_apply_without_a_take_says_what_to_do(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    window = takes_window(qtbot, takes)
    QTest.keyClick(window, Qt.Key.Key_A)
    assert window.project.state.edits == ()
    assert "No take to apply" in window.statusBar().currentMessage()


def test_screenshot_of_results_side_by_side(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    window = takes_window(qtbot, takes, "other", "inpaint", "spans")
    wait_lanes(qtbot, window, ["target", "residual"])
    docks = window.results_docks
    docks.remix_dock.raise_()
    docks.remix_panel.set_gains(0.0, -18.0)
    window.edit_state.set_in(1.1)
    window.edit_state.set_out(3.3)
    window.results.apply()
    window.edit_state.set_in(None)
    docks.takes_panel.select_take(takes["other"].id)
    window.timeline.set_playhead(2.2)
    qtbot.wait(150)
    assert save_screenshot(window, "results.png").stat().st_size > 10_000


def test_a_focused_slider_takes_the_arrow_keys(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    window = takes_window(qtbot, takes, "spans")
    wait_lanes(qtbot, window, ["target", "residual"])
    panel = window.results_docks.remix_panel
    window.results_docks.remix_dock.raise_()
    panel.target_slider.setFocus()
    qtbot.waitUntil(panel.target_slider.hasFocus, timeout=2_000)
    window.timeline.view.show_range(1.0, 2.0)
    view = window.timeline.view.visible()
    QTest.keyClick(panel.target_slider, Qt.Key.Key_Left)
    QTest.keyClick(panel.target_slider, Qt.Key.Key_Left)
    assert window.transport.player.lanes["target"].gain_db == -1.0
    assert panel.target_readout.text() == "-1.0 dB"
    assert window.timeline.view.visible() == view  # the view did not scroll


def test_residual_slider_maps_silent_then_minus_60_to_plus_6_both_ways() -> None:
    lo_db, hi_db = RESIDUAL_GAIN_RANGE
    assert residual_to_step(None) == RESIDUAL_SILENT
    assert step_to_residual(RESIDUAL_SILENT) is None  # the leftmost stop
    assert step_to_residual(RESIDUAL_SILENT + 1) == lo_db  # the next one is −60 dB
    assert step_to_residual(residual_to_step(hi_db)) == hi_db  # the rightmost is +6 dB
    steps = range(residual_to_step(None), residual_to_step(hi_db) + 1)
    assert len(steps) == round((hi_db - lo_db) * 2) + 2  # 0.5 dB steps, and silent
    for step in steps:
        assert residual_to_step(step_to_residual(step)) == step
    gains = [step_to_residual(step) for step in steps]
    assert gains[0] is None and gains[1:] == [lo_db + i / 2 for i in range(len(gains) - 1)]
    assert residual_to_step(-80.0) == residual_to_step(lo_db)  # out of range: clamped,
    assert residual_to_step(20.0) == residual_to_step(hi_db)  # never mistaken for silent
    lo_t, hi_t = TARGET_GAIN_RANGE
    for step in range(target_to_step(lo_t), target_to_step(hi_t) + 1):
        assert target_to_step(step_to_target(step)) == step
    assert (step_to_target(target_to_step(lo_t)), step_to_target(target_to_step(hi_t))) == (
        lo_t,
        hi_t,
    )


def _handle_centre(slider: QSlider) -> QPoint:
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    rect = slider.style().subControlRect(
        QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, slider
    )
    return rect.center()


def _drag(slider: QSlider, x: int) -> None:
    """Press on the handle, move to x in a few steps, release: as a hand would."""
    start = _handle_centre(slider)
    QTest.mousePress(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 5):
        QTest.mouseMove(slider, QPoint(start.x() + (x - start.x()) * i // 4, start.y()))
    end = QPoint(x, start.y())
    QTest.mouseRelease(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_the_residual_slider_spans_its_whole_travel_by_mouse_and_keys(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    window = takes_window(qtbot, takes, "spans")
    wait_lanes(qtbot, window, ["target", "residual"])
    window.results_docks.remix_dock.raise_()
    panel, player = window.results_docks.remix_panel, window.transport.player
    slider = panel.residual_slider
    qtbot.waitUntil(lambda: slider.isVisible() and slider.isEnabled(), timeout=2_000)
    # It starts silent, at the far left: the thumb is in the left part of the slider.
    assert panel.residual_readout.text() == "silent"
    assert slider.value() == slider.minimum()
    assert _handle_centre(slider).x() < slider.width() // 10
    assert (slider.minimum(), slider.maximum()) == (RESIDUAL_SILENT, residual_to_step(6.0))

    _drag(slider, slider.width() // 2)  # the middle is a quiet but audible level
    middle = player.lanes["residual"].gain_db
    assert -45.0 < middle < -15.0, middle
    assert panel.residual_readout.text() == f"{middle:+.1f} dB"
    assert panel.gains()[1] == middle

    _drag(slider, slider.width() - 1)  # all the way right: +6 dB
    assert player.lanes["residual"].gain_db == 6.0
    assert panel.residual_readout.text() == "+6.0 dB"

    _drag(slider, 0)  # all the way left: silent, and the thumb stays there
    qtbot.wait(50)
    assert math.isinf(player.lanes["residual"].gain_db)
    assert panel.residual_readout.text() == "silent"
    assert slider.value() == slider.minimum()

    slider.setFocus()
    qtbot.waitUntil(slider.hasFocus, timeout=2_000)
    QTest.keyClick(slider, Qt.Key.Key_Right)  # one stop up from silent: −60 dB
    assert player.lanes["residual"].gain_db == -60.0
    assert panel.residual_readout.text() == "-60.0 dB"
    QTest.keyClick(slider, Qt.Key.Key_Left)
    assert panel.residual_readout.text() == "silent" and slider.value() == slider.minimum()
    QTest.keyClick(slider, Qt.Key.Key_Left)  # nothing below silent, nothing jumps
    assert panel.residual_readout.text() == "silent" and slider.value() == slider.minimum()
    QTest.keyClick(slider, Qt.Key.Key_End)
    assert player.lanes["residual"].gain_db == 6.0
    QTest.keyClick(slider, Qt.Key.Key_Home)
    assert math.isinf(player.lanes["residual"].gain_db)
    assert slider.value() == slider.minimum()
