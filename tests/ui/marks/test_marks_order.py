"""The marks list is in time order (start, then end), and holds still while a mark is dragged."""

from __future__ import annotations

from pathlib import Path

from job_helpers import noise_wav, open_job_window, stop_jobs
from PySide6.QtCore import Qt

from isolde.ui.marks.marks import find_mark
from isolde.ui.marks.spans_table import Column


def _rows(window) -> list[tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    model = window.spans_panel.model
    marks = [model.mark_at(r) for r in range(model.rowCount())]
    return [(m.kind, m.start, m.end) for m in marks if m is not None]


def test_rows_are_in_time_order_whatever_the_order_marks_were_made(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = open_job_window(qtbot, noise_wav(tmp_path / "n.wav", seconds=10.0))
    try:
        project = window.project
        project.add_span(6.0, 7.0)
        project.add_region(4.0, 4.5, prompt="room tone")
        project.add_span(1.0, 3.0, include=False)
        project.add_span(1.0, 2.0)  # same start: the shorter one first
        assert _rows(window) == [
            ("include", 1.0, 2.0),
            ("exclude", 1.0, 3.0),
            ("inpaint", 4.0, 4.5),
            ("include", 6.0, 7.0),
        ]
        # editing a time in the list moves the row, and the selection follows the mark
        late = project.state.spans[0].id
        window.edit_state.select(late)
        model = window.spans_panel.model
        assert model.setData(model.index(3, Column.START), "0:00:00.500", Qt.ItemDataRole.EditRole)
        assert _rows(window)[0] == ("include", 0.5, 7.0)
        assert window.edit_state.selected == late
        selected = window.spans_panel.table.selectionModel().selectedRows()
        assert [i.row() for i in selected] == [0]
        project.undo()
        assert _rows(window)[3] == ("include", 6.0, 7.0)
    finally:
        stop_jobs(window)


def test_rows_hold_still_while_a_mark_is_dragged_past_another(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = open_job_window(qtbot, noise_wav(tmp_path / "n.wav", seconds=10.0))
    try:
        project, marks = window.project, window.timeline.marks
        first = project.add_span(1.0, 2.0)
        project.add_span(4.0, 5.0, include=False)
        mark = find_mark(project.state, first)
        assert mark is not None
        marks.begin_drag("move", mark, 1.5)
        marks.drag_to(6.5)  # now 6–7 s: after the other span, but the rows stay put mid-drag
        assert _rows(window) == [("include", 6.0, 7.0), ("exclude", 4.0, 5.0)]
        marks.drag_to(7.0)
        assert _rows(window) == [("include", 6.5, 7.5), ("exclude", 4.0, 5.0)]
        marks.finish_drag()
        # once the drag is over the list sorts itself
        qtbot.waitUntil(lambda: _rows(window)[0] == ("exclude", 4.0, 5.0), timeout=5000)
        assert _rows(window)[1] == ("include", 6.5, 7.5)
    finally:
        stop_jobs(window)
