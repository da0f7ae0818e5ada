"""The spans list: rows follow the project, each edit is one undo step, selection is shared."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from isolde.core.media import MediaRef
from isolde.core.project import Project
from isolde.ui.common.edit_state import EditState, Tool
from isolde.ui.marks.spans_panel import SpansPanel
from isolde.ui.marks.spans_table import Column

MEDIA = MediaRef(
    path="/tmp/x.wav",
    content_hash="h",
    sample_rate=48000,
    channels=2,
    frames=48000 * 60,
    format="WAV",
)
Edit = Qt.ItemDataRole.EditRole

pytest.importorskip("pytestqt")


@pytest.fixture
def project() -> Project:
    return Project.new_for_media(MEDIA)


@pytest.fixture
def panel(qtbot, project: Project) -> SpansPanel:  # type: ignore[no-untyped-def]
    widget = SpansPanel(EditState())
    qtbot.addWidget(widget)
    widget.set_project(project)
    widget.resize(700, 300)
    widget.show()
    return widget


def _cell(panel: SpansPanel, row: int, column: Column) -> QModelIndex:
    return panel.model.index(row, column)


def _text(panel: SpansPanel, row: int, column: Column) -> str:
    return str(_cell(panel, row, column).data())


def _steps(project: Project) -> int:
    return len(project.history.labels[0])


def test_rows_follow_adds_removes_undo_and_redo(panel: SpansPanel, project: Project) -> None:
    assert panel.model.rowCount() == 0
    project.add_span(1.0, 2.0)
    region = project.add_region(5.0, 6.0, prompt="birdsong")
    project.add_span(3.0, 4.0, include=False)
    # In time order, spans and regions together.
    kinds = [_text(panel, r, Column.KIND) for r in range(3)]
    assert kinds == ["include", "exclude", "inpaint"]
    assert _text(panel, 0, Column.START) == "0:00:01.000"
    assert _text(panel, 0, Column.LENGTH) == "0:00:01.000"
    assert _text(panel, 2, Column.PROMPT) == "birdsong"
    project.remove_region(region)
    assert panel.model.rowCount() == 2
    project.undo()
    assert panel.model.rowCount() == 3
    project.redo()
    assert panel.model.rowCount() == 2


def test_a_drag_updates_rows_without_a_reset(qtbot, panel: SpansPanel, project: Project) -> None:  # type: ignore[no-untyped-def]
    span = project.add_span(1.0, 2.0)
    panel.edit_state.select(span)
    resets: list[int] = []
    changes: list[int] = []
    panel.model.modelReset.connect(lambda: resets.append(1))
    panel.model.dataChanged.connect(lambda *_: changes.append(1))
    for i in range(10):
        project.update_span(span, start=1.0 + i / 100, end=2.0 + i / 100, merge_key="drag")
    assert (len(resets), len(changes)) == (0, 9)
    assert _text(panel, 0, Column.START) == "0:00:01.090"
    assert panel.table.selectionModel().isRowSelected(0)
    assert _steps(project) == 2


def test_time_edits_are_one_undo_step_each(panel: SpansPanel, project: Project) -> None:
    span = project.add_span(1.0, 2.0)
    region = project.add_region(5.0, 6.0)
    assert panel.model.setData(_cell(panel, 0, Column.START), "0.5", Edit)
    assert project.state.span(span).start == 0.5
    assert panel.model.setData(_cell(panel, 0, Column.END), "0:00:03.250", Edit)
    assert project.state.span(span).end == 3.25
    assert panel.model.setData(_cell(panel, 1, Column.END), "0:07", Edit)
    assert project.state.region(region).end == 7.0
    assert project.history.undo_label == "Resize inpaint region"
    assert _steps(project) == 5
    project.undo()
    assert project.state.region(region).end == 6.0
    assert panel.error_label.text() == ""


@pytest.mark.parametrize(
    ("column", "text", "message"),
    [
        (Column.START, "soon", "bad time"),
        (Column.START, "3", "must be before end"),
        (Column.END, "61", "after the end of the media"),
    ],
)
def test_bad_times_show_an_error_and_change_nothing(
    panel: SpansPanel, project: Project, column: Column, text: str, message: str
) -> None:
    project.add_span(1.0, 2.0)
    before = project.state
    assert not panel.model.setData(_cell(panel, 0, column), text, Edit)
    assert project.state is before
    assert message in panel.error_label.text()
    assert panel.error_label.text().startswith(("Start:", "End:"))
    assert panel.error_label.isVisibleTo(panel)
    assert panel.error_label.accessibleName()
    assert panel.error_label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    # The next good edit clears it.
    assert panel.model.setData(_cell(panel, 0, Column.START), "1.5", Edit)
    assert not panel.error_label.isVisibleTo(panel)


def test_typing_into_the_real_editor(qtbot, panel: SpansPanel, project: Project) -> None:  # type: ignore[no-untyped-def]
    span = project.add_span(1.0, 2.0)
    index = _cell(panel, 0, Column.END)
    panel.table.setCurrentIndex(index)
    panel.table.edit(index)
    editor = panel.table.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.accessibleName() == "End"
    editor.selectAll()
    qtbot.keyClicks(editor, "0:00:04.5")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: project.state.span(span).end == 4.5, timeout=2000)
    assert _steps(project) == 2


def test_enter_edits_and_the_kind_combo_commits(qtbot, panel: SpansPanel, project: Project) -> None:  # type: ignore[no-untyped-def]
    span = project.add_span(1.0, 2.0)
    panel.edit_state.select(span)
    panel.table.setFocus()
    panel.table.setCurrentIndex(_cell(panel, 0, Column.KIND))
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    combo = panel.table.focusWidget()
    assert isinstance(combo, QComboBox) and combo.accessibleName() == "Kind"
    combo.setCurrentText("exclude")
    combo.activated.emit(combo.currentIndex())
    assert project.state.span(span).include is False
    assert _steps(project) == 2


def test_kind_changes_between_span_and_region(panel: SpansPanel, project: Project) -> None:
    span = project.add_span(1.0, 2.0)
    panel.edit_state.select(span)
    assert panel.model.setData(_cell(panel, 0, Column.KIND), "inpaint", Edit)
    assert project.state.spans == ()
    (region,) = project.state.regions
    assert (region.start, region.end) == (1.0, 2.0)
    assert panel.edit_state.selected == region.id  # the selection follows the new id
    assert panel.table.selectionModel().isRowSelected(0)
    assert _steps(project) == 2
    assert panel.model.setData(_cell(panel, 0, Column.KIND), "exclude", Edit)
    assert project.state.regions == () and project.state.spans[0].include is False
    assert _steps(project) == 3
    project.undo()
    assert len(project.state.regions) == 1
    assert not panel.model.setData(_cell(panel, 0, Column.KIND), "loud", Edit)
    assert "unknown kind" in panel.error_label.text()


def test_prompt_only_for_regions(panel: SpansPanel, project: Project) -> None:
    project.add_span(1.0, 2.0)
    region = project.add_region(3.0, 4.0, prompt="rain")
    editable = Qt.ItemFlag.ItemIsEditable
    assert not _cell(panel, 0, Column.PROMPT).flags() & editable
    assert not _cell(panel, 0, Column.LENGTH).flags() & editable
    assert "Only inpaint regions" in str(
        _cell(panel, 0, Column.PROMPT).data(Qt.ItemDataRole.ToolTipRole)
    )
    before = project.state
    assert not panel.model.setData(_cell(panel, 0, Column.PROMPT), "nope", Edit)
    assert project.state is before
    assert _cell(panel, 1, Column.PROMPT).flags() & editable
    assert panel.model.setData(_cell(panel, 1, Column.PROMPT), "thunder", Edit)
    assert project.state.region(region).prompt == "thunder"
    assert _steps(project) == 3


def test_selection_follows_both_ways(qtbot, panel: SpansPanel, project: Project) -> None:  # type: ignore[no-untyped-def]
    ids = [project.add_span(i, i + 0.5) for i in range(30)]
    seen: list[object] = []
    panel.edit_state.selection_changed.connect(seen.append)
    panel.edit_state.select(ids[29])
    assert panel.table.selectionModel().selectedRows()[0].row() == 29
    assert panel.table.rowAt(panel.table.viewport().height() // 2) >= 0
    assert panel.table.visualRect(_cell(panel, 29, Column.KIND)).intersects(
        panel.table.viewport().rect()
    )
    panel.table.selectRow(3)
    assert panel.edit_state.selected == ids[3]
    assert seen == [ids[29], ids[3]]  # no echoes
    project.update_span(ids[3], include=False)  # an edit keeps the selection
    project.add_span(50, 51)  # so does a reset
    assert panel.table.selectionModel().selectedRows()[0].row() == 3
    panel.edit_state.select(None)
    assert panel.table.selectionModel().selectedRows() == []


def test_delete_key_and_buttons(qtbot, panel: SpansPanel, project: Project) -> None:  # type: ignore[no-untyped-def]
    a = project.add_span(1.0, 2.0)
    b = project.add_span(3.0, 4.0)
    assert not panel.delete_button.isEnabled()
    panel.edit_state.select(a)
    assert panel.delete_button.isEnabled() and panel.flip_button.isEnabled()
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert [s.id for s in project.state.spans] == [b]
    assert panel.edit_state.selected == b  # ready for the next Delete
    qtbot.keyClick(panel.table, Qt.Key.Key_F)
    assert project.state.span(b).include is False
    panel.flip_button.click()
    assert project.state.span(b).include is True
    qtbot.keyClick(panel.table, Qt.Key.Key_Backspace)
    assert project.state.spans == ()
    assert panel.edit_state.selected is None
    project.undo()
    assert panel.model.rowCount() == 1
    for button in (panel.add_button, panel.delete_button, panel.flip_button, panel.table):
        assert button.accessibleName()
    assert "(Delete)" in panel.delete_button.toolTip()


def test_add_from_in_out_uses_the_tool(qtbot, panel: SpansPanel, project: Project) -> None:  # type: ignore[no-untyped-def]
    state = panel.edit_state
    assert not panel.add_button.isEnabled()
    state.set_in(4.0)
    state.set_out(2.0)
    assert panel.add_button.isEnabled()
    state.set_tool(Tool.INPAINT)
    assert "inpaint" in panel.add_button.toolTip()
    panel.add_button.click()
    (region,) = project.state.regions
    assert (region.start, region.end) == (2.0, 4.0)
    assert state.selected == region.id
    assert not panel.flip_button.isEnabled()
    state.set_tool(Tool.EXCLUDE)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Insert)
    assert project.state.spans[0].include is False
    state.set_out(70.0)
    panel.add_button.click()
    assert "after the end of the media" in panel.error_label.text()
    assert len(project.state.spans) == 1


def test_overlaps_show_the_later_wins_rule(panel: SpansPanel, project: Project) -> None:
    project.add_span(1.0, 4.0)
    project.add_span(2.0, 3.0, include=False)
    project.add_span(6.0, 7.0)
    project.add_span(5.0, 8.0, include=False)
    tip = str(_cell(panel, 0, Column.START).data(Qt.ItemDataRole.ToolTipRole))
    assert "overridden by a later span: 2.0–3.0 s (exclude)" in tip
    assert _text(panel, 0, Column.KIND) == "include (partly overridden)"
    assert _cell(panel, 0, Column.END).data(Qt.ItemDataRole.FontRole).italic()
    assert _cell(panel, 1, Column.START).data(Qt.ItemDataRole.ToolTipRole) is None
    # rows in time order: the include 6–7 s (row 3) lies under the later exclude 5–8 s (row 2)
    assert "Fully overridden" in str(_cell(panel, 3, Column.KIND).data(Qt.ItemDataRole.ToolTipRole))
    # Moving the later span away lifts the note.
    project.update_span(project.state.spans[1].id, start=10.0, end=11.0)
    assert _cell(panel, 0, Column.START).data(Qt.ItemDataRole.ToolTipRole) is None
    assert _cell(panel, 0, Column.KIND).data(Qt.ItemDataRole.DecorationRole).green() > 150


def test_switching_and_deleting_unsubscribes(qtbot, project: Project) -> None:  # type: ignore[no-untyped-def]
    panel = SpansPanel(EditState())
    panel.set_project(project)
    other = Project.new_for_media(MEDIA)
    panel.set_project(other)
    project.add_span(1.0, 2.0)
    assert panel.model.rowCount() == 0
    other.add_span(1.0, 2.0)
    assert panel.model.rowCount() == 1
    panel.deleteLater()
    qtbot.wait(10)
    other.add_span(3.0, 4.0)  # would raise if a dead panel were still listening
