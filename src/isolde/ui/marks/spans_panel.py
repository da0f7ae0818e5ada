"""The spans list: every span and inpaint region as an editable row, in step with the timeline.

It shows the project and sends edits to it; the selection lives in `EditState`, so the timeline
and this list always agree on which mark is selected.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from isolde.core.errors import IsoldeError
from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.ui.common.edit_state import EditState
from isolde.ui.common.panel_layout import named_button
from isolde.ui.common.theme import mark_error
from isolde.ui.marks.marks import EXCLUDE, INCLUDE, Mark, add_mark, find_mark, remove_mark, set_kind
from isolde.ui.marks.spans_table import Column, MarkDelegate, SpansTableModel

# Keys the table handles itself, ahead of any window-wide shortcut on the same key.
DELETE_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
ADD_KEY = Qt.Key.Key_Insert
FLIP_KEY = Qt.Key.Key_F
EDIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
OWN_KEYS = (*DELETE_KEYS, ADD_KEY, FLIP_KEY, *EDIT_KEYS)
RESORT_MS = 250  # how often rows held during a drag look for the drag's end


def _run_all(box: list[Callable[[], None]]) -> None:
    while box:
        box.pop()()


class SpansPanel(QWidget):
    def __init__(self, edit_state: EditState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Spans and regions list")
        self.edit_state = edit_state
        self.project: Project | None = None
        self._syncing = False  # set while the table follows edit_state, so it does not echo back
        # The unsubscribe lives outside `self`: a deleted panel must still leave the project.
        self._unsubscribe: list[Callable[[], None]] = []
        box = self._unsubscribe
        self.destroyed.connect(lambda *_: _run_all(box))

        self.model = SpansTableModel(self)
        self._resort = QTimer(self, singleShot=True, interval=RESORT_MS)
        self._resort.timeout.connect(self._resort_when_free)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setItemDelegate(MarkDelegate(self.table))
        self.table.setAccessibleName("Spans and regions")
        self.table.setAccessibleDescription(
            "One row per mark. Enter or F2 edits a cell, Delete removes the mark, "
            "Insert adds one from the in/out points, F flips include/exclude."
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        triggers = QAbstractItemView.EditTrigger
        self.table.setEditTriggers(
            triggers.DoubleClicked | triggers.EditKeyPressed | triggers.SelectedClicked
        )
        # Tab leaves the table for the buttons; arrows move between cells.
        self.table.setTabKeyNavigation(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.installEventFilter(self)

        self.error_label = QLabel(self)
        self.error_label.setAccessibleName("Spans list error")
        self.error_label.setWordWrap(True)
        mark_error(self.error_label)
        self.error_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.error_label.hide()

        self.add_button = named_button(self, "Add from in/out", "Add mark from in/out points")
        self.delete_button = named_button(self, "Delete", "Delete selected mark")
        self.delete_button.setToolTip("Delete the selected span or region (Delete)")
        self.flip_button = named_button(self, "Flip include/exclude", "Flip include/exclude")
        self.flip_button.setToolTip("Turn the selected include span into exclude or back (F)")
        self.add_button.clicked.connect(self.add_from_in_out)
        self.delete_button.clicked.connect(self.delete_selected)
        self.flip_button.clicked.connect(self.flip_selected)

        buttons = QHBoxLayout()
        for button in (self.add_button, self.delete_button, self.flip_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

        self.model.edit_failed.connect(self.show_error)
        self.model.edit_succeeded.connect(self.clear_error)
        self.model.mark_replaced.connect(self._follow_replaced)
        self.model.modelReset.connect(self._after_reset)
        self.table.selectionModel().selectionChanged.connect(self._table_selection_changed)
        edit_state.selection_changed.connect(self._show_selection)
        edit_state.in_out_changed.connect(self._update_buttons)
        edit_state.tool_changed.connect(self._show_tool)
        self._show_tool(edit_state.tool.value)
        self._update_buttons()

    # -- the project ----------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        _run_all(self._unsubscribe)
        self.project = project
        self.clear_error()
        self.model.set_project(project)
        if project is not None:
            self._unsubscribe.append(project.subscribe(self._project_changed))
        self._update_buttons()

    @property
    def busy(self) -> Callable[[], bool]:
        return self.model.hold_order

    @busy.setter
    def busy(self, busy: Callable[[], bool]) -> None:
        """Set by the window: True while the user drags a mark (rows keep their order)."""
        self.model.hold_order = busy

    def _resort_when_free(self) -> None:
        if self.model.hold_order():
            self._resort.start()
        else:
            self.model.resort()

    def _project_changed(self, state: ProjectState, reason: str) -> None:
        self.model.refresh(state)
        if self.model.held:
            self._resort.start()
        selected = self.edit_state.selected
        if selected is not None and self.model.row_of(selected) is None:
            self.edit_state.select(None)  # the mark is gone (deleted, undone)
        self._update_buttons()

    def _after_reset(self) -> None:
        self._show_selection(self.edit_state.selected)
        self.table.resizeColumnsToContents()

    # -- selection, both ways -------------------------------------------------------------------

    def _table_selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        if self._syncing:
            return
        rows = self.table.selectionModel().selectedRows()
        mark = self.model.mark_at(rows[0].row()) if rows else None
        self.edit_state.select(mark.id if mark else None)
        self._update_buttons()

    def _show_selection(self, mark_id: str | None) -> None:
        row = self.model.row_of(mark_id)
        selection = self.table.selectionModel()
        self._syncing = True
        try:
            if row is None:
                selection.clearSelection()
            else:
                column = max(self.table.currentIndex().column(), 0)
                index = self.model.index(row, column)
                flags = QItemSelectionModel.SelectionFlag
                selection.setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
                self.table.scrollTo(index)
        finally:
            self._syncing = False
        self._update_buttons()

    def _follow_replaced(self, old_id: str, new_id: str) -> None:
        if self.edit_state.selected in (old_id, None):
            self.edit_state.select(new_id)

    def selected_mark(self) -> Mark | None:
        if self.project is None:
            return None
        return find_mark(self.project.state, self.edit_state.selected)

    # -- actions --------------------------------------------------------------------------------

    def add_from_in_out(self) -> None:
        span = self.edit_state.in_out_range()
        if self.project is None or span is None:
            return
        tool = self.edit_state.tool.value
        try:
            new_id = add_mark(self.project, tool, *span)
        except IsoldeError as e:
            self.show_error(f"Add {tool}: {e}")
            return
        self.clear_error()
        self.edit_state.select(new_id)

    def delete_selected(self) -> None:
        mark = self.selected_mark()
        if self.project is None or mark is None:
            return
        row = self.model.row_of(mark.id) or 0
        remove_mark(self.project, mark)
        self.clear_error()
        # Keep a row selected so that Delete can be pressed again from the keyboard.
        count = self.model.rowCount()
        following = self.model.mark_at(min(row, count - 1)) if count else None
        self.edit_state.select(following.id if following else None)

    def flip_selected(self) -> None:
        mark = self.selected_mark()
        if self.project is None or mark is None or mark.is_region:
            return
        set_kind(self.project, mark, EXCLUDE if mark.kind == INCLUDE else INCLUDE)
        self.clear_error()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()

    def _show_tool(self, tool: str) -> None:
        self.add_button.setToolTip(f"Add a {tool} mark between the in and out points (Insert)")

    def _update_buttons(self) -> None:
        mark = self.selected_mark()
        ready = self.project is not None and self.edit_state.in_out_range() is not None
        self.add_button.setEnabled(ready)
        self.delete_button.setEnabled(mark is not None)
        self.flip_button.setEnabled(mark is not None and not mark.is_region)

    # -- keys -----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.table or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if not plain or event.key() not in OWN_KEYS:
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # the table has focus: its keys beat window shortcuts
            return True
        if event.type() != QEvent.Type.KeyPress:
            return False
        key = event.key()
        if key in DELETE_KEYS:
            self.delete_selected()
        elif key == ADD_KEY:
            self.add_from_in_out()
        elif key == FLIP_KEY:
            self.flip_selected()
        elif self.table.state() != QAbstractItemView.State.EditingState:
            self._edit_current()
        return True

    def _edit_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid() and not index.flags() & Qt.ItemFlag.ItemIsEditable:
            index = index.siblingAtColumn(Column.START)  # Length (or a span's prompt): edit times
        self.table.setCurrentIndex(index)
        self.table.edit(index)
