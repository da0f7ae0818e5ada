"""The timeline editor: drags, undo, keyboard-only marking, zoom limits, odd files, sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from timeline_helpers import RATE, mouse_click, mouse_drag, open_window, write_tone_wav
from window_helpers import save_screenshot

from isolde.core.spans import effective_spans
from isolde.ui.common.edit_state import Tool
from isolde.ui.marks.marks import add_mark, marks_of
from isolde.ui.timeline.viewbox import MIN_VISIBLE_SAMPLES


@pytest.fixture
def window(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    return open_window(qtbot, write_tone_wav(tmp_path / "tone.wav", 10.0))


def _only_mark(window):  # type: ignore[no-untyped-def]
    marks = marks_of(window.project.state)
    assert len(marks) == 1
    return marks[0]


@pytest.mark.parametrize("tool", list(Tool))
def test_mouse_drag_creates_each_kind_as_one_step(window, tool: Tool) -> None:  # type: ignore[no-untyped-def]
    window.edit_state.set_tool(tool)
    mouse_drag(window, 2.0, 4.0)
    mark = _only_mark(window)
    assert mark.kind == tool.value
    assert mark.start == pytest.approx(2.0, abs=0.05)
    assert mark.end == pytest.approx(4.0, abs=0.05)
    assert window.edit_state.selected == mark.id
    assert len(window.project.history) == 1
    window.undo_action.trigger()
    assert marks_of(window.project.state) == []
    window.redo_action.trigger()
    assert _only_mark(window).kind == tool.value


def test_dragging_backwards_creates_an_ordered_span(window) -> None:  # type: ignore[no-untyped-def]
    mouse_drag(window, 6.0, 3.0)
    mark = _only_mark(window)
    assert mark.start == pytest.approx(3.0, abs=0.05) and mark.end == pytest.approx(6.0, abs=0.05)


@pytest.mark.parametrize("kind", ["include", "exclude", "inpaint"])
def test_move_body_and_resize_edges_are_one_step_each(window, kind: str) -> None:  # type: ignore[no-untyped-def]
    mark_id = add_mark(window.project, kind, 2.0, 4.0)
    steps = len(window.project.history)
    mouse_drag(window, 3.0, 5.0)  # grab the body
    mark = _only_mark(window)
    assert (mark.start, mark.end) == (pytest.approx(4.0, abs=0.05), pytest.approx(6.0, abs=0.05))
    assert mark.id == mark_id and mark.kind == kind
    assert len(window.project.history) == steps + 1
    mouse_drag(window, mark.end, 7.5)  # the right edge
    mark = _only_mark(window)
    assert mark.end == pytest.approx(7.5, abs=0.05) and mark.start == pytest.approx(4.0, abs=0.05)
    mouse_drag(window, mark.start, 1.0)  # the left edge
    mark = _only_mark(window)
    assert mark.start == pytest.approx(1.0, abs=0.05)
    assert len(window.project.history) == steps + 3
    window.project.undo()
    window.project.undo()
    window.project.undo()
    mark = _only_mark(window)
    assert (mark.start, mark.end) == (2.0, 4.0)


def test_resizing_past_the_other_edge_flips_instead_of_inverting(window) -> None:  # type: ignore[no-untyped-def]
    window.project.add_span(4.0, 5.0)
    mouse_drag(window, 5.0, 3.0)  # right edge dragged left past the left edge
    mark = _only_mark(window)
    assert mark.start == pytest.approx(3.0, abs=0.05) and mark.end == pytest.approx(4.0, abs=0.05)


def test_moves_stop_at_the_file_ends(window) -> None:  # type: ignore[no-untyped-def]
    window.project.add_span(1.0, 3.0)
    marks = window.timeline.marks
    mark = _only_mark(window)
    marks.begin_drag("move", mark, 2.0)
    marks.drag_to(-50.0)
    marks.finish_drag()
    assert (_only_mark(window).start, _only_mark(window).end) == (0.0, 2.0)
    mark = _only_mark(window)
    marks.begin_drag("move", mark, 1.0)
    marks.drag_to(500.0)
    marks.finish_drag()
    assert _only_mark(window).end == pytest.approx(10.0)


def test_snapping_puts_edges_on_the_40ms_grid(window) -> None:  # type: ignore[no-untyped-def]
    window.actions_by_key["snap"].trigger()
    assert window.edit_state.snap
    marks = window.timeline.marks
    marks.begin_drag("create", None, marks._time(1.013))
    marks.drag_to(2.519)
    marks.finish_drag()
    mark = _only_mark(window)
    for t in (mark.start, mark.end):
        assert abs(t / 0.04 - round(t / 0.04)) < 1e-6


def test_overlaps_are_drawn_by_the_later_wins_rule(window) -> None:  # type: ignore[no-untyped-def]
    window.project.add_span(1.0, 6.0, include=True)
    window.project.add_span(3.0, 4.0, include=False)
    pieces = window.timeline.marks._pieces
    assert [(p.start, p.end, p.include) for p in pieces] == [
        (1.0, 3.0, True),
        (3.0, 4.0, False),
        (4.0, 6.0, True),
    ]
    assert pieces == effective_spans(window.project.state.spans)
    # clicking inside the overlap picks the later span, the one that is drawn
    mouse_click(window, 3.5)
    assert window.edit_state.selected == window.project.state.spans[1].id


def test_click_on_empty_timeline_seeks_and_clears_selection(window) -> None:  # type: ignore[no-untyped-def]
    window.project.add_span(1.0, 2.0)
    mouse_click(window, 1.5)
    assert window.edit_state.selected is not None
    mouse_click(window, 7.0)
    assert window.edit_state.selected is None
    assert window.timeline.playhead == pytest.approx(7.0, abs=0.05)


def test_keyboard_only_marking(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()
    window.timeline.plot_widget.setFocus()
    key = lambda k, mod=Qt.KeyboardModifier.NoModifier: QTest.keyClick(window, k, mod)  # noqa: E731
    key(Qt.Key.Key_Home)
    ctrl = Qt.KeyboardModifier.ControlModifier
    key(Qt.Key.Key_Right, ctrl)
    key(Qt.Key.Key_Right, ctrl)
    key(Qt.Key.Key_BracketLeft)  # in at 2 s
    for _ in range(3):
        key(Qt.Key.Key_Right, ctrl)
    key(Qt.Key.Key_BracketRight)  # out at 5 s
    key(Qt.Key.Key_E)  # exclude tool
    assert window.edit_state.tool is Tool.EXCLUDE
    key(Qt.Key.Key_M)
    mark = _only_mark(window)
    assert (mark.kind, mark.start, mark.end) == ("exclude", 2.0, 5.0)
    key(Qt.Key.Key_X)  # flip
    assert _only_mark(window).kind == "include"
    key(Qt.Key.Key_R)  # inpaint tool, then mark the same in/out
    key(Qt.Key.Key_M)
    assert [m.kind for m in marks_of(window.project.state)] == ["include", "inpaint"]
    key(Qt.Key.Key_Comma)
    key(Qt.Key.Key_Delete)
    assert len(marks_of(window.project.state)) == 1
    key(Qt.Key.Key_Z, ctrl)  # undo the delete
    assert len(marks_of(window.project.state)) == 2


def test_zoom_limits_never_pass_the_file_ends(window) -> None:  # type: ignore[no-untyped-def]
    timeline = window.timeline
    for _ in range(80):
        timeline.zoom_in()
    x0, x1 = timeline.view.visible()
    assert x1 - x0 == pytest.approx(MIN_VISIBLE_SAMPLES / RATE, rel=0.05)
    assert timeline.waveform.mode == "samples"
    for _ in range(80):
        timeline.zoom_out()
    x0, x1 = timeline.view.visible()
    assert x0 == pytest.approx(0.0, abs=1e-9) and x1 == pytest.approx(10.0, abs=1e-6)
    assert timeline.waveform.mode == "envelope"
    timeline.view.show_range(8.0, 9.0)
    for _ in range(30):
        timeline.pan(0.5)
    x0, x1 = timeline.view.visible()
    assert x1 == pytest.approx(10.0, abs=1e-6) and x1 - x0 == pytest.approx(1.0, rel=1e-3)
    timeline.pan(-100)
    assert timeline.view.visible()[0] == pytest.approx(0.0, abs=1e-9)


def test_zoom_to_selection(window) -> None:  # type: ignore[no-untyped-def]
    span_id = window.project.add_span(4.0, 5.0)
    window.edit_state.select(span_id)
    window.actions_by_key["zoom_selection"].trigger()
    x0, x1 = window.timeline.view.visible()
    assert x0 == pytest.approx(3.95, abs=0.01) and x1 == pytest.approx(5.05, abs=0.01)


def test_a_file_shorter_than_the_view_in_pixels(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "tiny.wav"
    write_tone_wav(path, 50 / RATE)
    window = open_window(qtbot, path)
    assert window.timeline.waveform.mode == "samples"
    mouse_drag(window, 10 / RATE, 30 / RATE)
    mark = _only_mark(window)
    assert 0 <= mark.start < mark.end <= 50 / RATE


def test_a_silent_file(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, write_tone_wav(tmp_path / "silent.wav", 3.0, silent=True))
    assert window.timeline.waveform.mode == "envelope"
    mouse_drag(window, 0.5, 1.5)
    assert len(marks_of(window.project.state)) == 1


def test_combined_view_toggle(window) -> None:  # type: ignore[no-untyped-def]
    assert window.timeline.waveform.lanes == 2
    window.actions_by_key["combined"].trigger()
    assert window.timeline.waveform.lanes == 1
    window.project.add_span(1.0, 2.0)
    window.actions_by_key["combined"].trigger()
    assert window.timeline.waveform.lanes == 2


def test_spans_list_and_timeline_stay_in_sync(window) -> None:  # type: ignore[no-untyped-def]
    panel = window.spans_panel
    mouse_drag(window, 1.0, 2.0)
    assert panel.model.rowCount() == 1
    mark = _only_mark(window)
    assert window.edit_state.selected == mark.id
    panel.table.clearSelection()
    window.edit_state.select(None)
    panel.table.selectRow(0)
    assert window.edit_state.selected == mark.id
    start_index = panel.model.index(
        0,
        [
            panel.model.headerData(c, Qt.Orientation.Horizontal)
            for c in range(panel.model.columnCount())
        ].index("Start"),
    )
    assert panel.model.setData(start_index, "0.5", Qt.ItemDataRole.EditRole)
    assert window.timeline.marks._marks[0].start == 0.5


def test_context_menus(window) -> None:  # type: ignore[no-untyped-def]
    span_id = window.project.add_span(1.0, 2.0)
    window.edit_state.select(span_id)
    texts = [a.text() for a in window.context_menu_for(span_id).actions() if a.text()]
    assert any("Flip" in t for t in texts) and any("Delete" in t for t in texts)
    assert any("exact" in t for t in texts) and any("Play" in t for t in texts)
    texts = [a.text() for a in window.context_menu_for(None).actions() if a.text()]
    assert any("Include" in t for t in texts)


def test_screenshot_with_all_three_kinds(qtbot) -> None:  # type: ignore[no-untyped-def]
    from isolde.resources import sample_path

    window = open_window(qtbot, sample_path(), size=(1400, 600))
    project = window.project
    project.add_span(0.0, 2.0, include=False)
    project.add_span(2.0, 6.8, include=True)
    project.add_span(7.0, 10.3, include=False)
    project.add_span(9.5, 11.0, include=True)  # overlaps: the later wins
    region = project.add_region(12.0, 12.6, prompt="room tone")
    window.edit_state.select(region)
    window.edit_state.set_in(16.8)
    window.edit_state.set_out(20.8)
    window.timeline.set_playhead(13.5)
    qtbot.wait(100)
    assert save_screenshot(window, "timeline.png").stat().st_size > 10_000


def _wheel(window, t: float, dy: int = 0, dx: int = 0, shift: bool = False) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication
    from timeline_helpers import point_for

    viewport = window.timeline.plot_widget.viewport()
    pos = QPointF(point_for(window, t))
    mods = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    event = QWheelEvent(
        pos,
        QPointF(viewport.mapToGlobal(pos.toPoint())),
        QPoint(0, 0),
        QPoint(dx, dy),
        Qt.MouseButton.NoButton,
        mods,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, event)


def test_wheel_zooms_around_the_cursor_and_shift_wheel_scrolls(window) -> None:  # type: ignore[no-untyped-def]
    view = window.timeline.view
    _wheel(window, 7.5, dy=480)  # four notches in
    x0, x1 = view.visible()
    assert x1 - x0 < 10.0 * 0.5
    assert x0 < 7.5 < x1 and abs((7.5 - x0) / (x1 - x0) - 0.75) < 0.05  # the cursor stays put
    width = x1 - x0
    _wheel(window, 5.0, dy=-120, shift=True)  # scroll right, no zoom
    y0, y1 = view.visible()
    assert y1 - y0 == pytest.approx(width, rel=1e-6) and y0 > x0
    _wheel(window, 5.0, dx=120)  # trackpad sideways: scroll left
    z0, _ = view.visible()
    assert z0 < y0


def test_exact_times_dialog(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from isolde.ui.marks.mark_dialog import MarkDialog

    region_id = window.project.add_region(1.0, 2.0)
    mark = _only_mark(window)
    dialog = MarkDialog(window.project, mark, window)
    qtbot.addWidget(dialog)
    dialog.start.setText("0:00:01.250")
    dialog.end.setText("12")  # past the end of the 10 s file
    dialog.apply()
    assert "after the end" in dialog.error.text()
    assert (_only_mark(window).start, _only_mark(window).end) == (1.0, 2.0)
    dialog.end.setText("3.5")
    dialog.prompt.setText("rain on a window")
    steps = len(window.project.history)
    dialog.apply()
    mark = _only_mark(window)
    assert (mark.id, mark.start, mark.end, mark.prompt) == (
        region_id,
        1.25,
        3.5,
        "rain on a window",
    )
    assert len(window.project.history) == steps + 1
