"""The applied edits: one row per take written into the timeline, with Remove (undoable) and a
double-click that shows the edit on the timeline. The main lanes draw and play the recording
with these edits (see `edited_view`); removing one brings that stretch back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from isolde.core.errors import IsoldeError
from isolde.core.timecode import format_time
from isolde.ui.common.id_table import IdTable
from isolde.ui.results.results import Results
from isolde.ui.results.take_info import take_title

HEADERS = ("Kind", "Range", "Gains", "Take")


class EditsPanel(QWidget):
    def __init__(self, results: Results, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results = results
        self.table = IdTable(HEADERS, self)
        self.table.setAccessibleName("Applied edits")
        self.table.setAccessibleDescription(
            "Takes written into the timeline, heard and shown there; later rows win"
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(lambda row, _col: self.show_edit(row))
        self.remove_button = QPushButton("Remove edit", self)
        self.remove_button.setAccessibleName("Remove the selected applied edit")
        self.remove_button.setToolTip(
            "Take the selected edit off the timeline: that stretch is heard and shown as "
            "recorded again (undoable)"
        )
        self.remove_button.clicked.connect(self.remove_selected)
        title = QLabel("Applied edits — heard and shown on the timeline (later wins)", self)
        row = QHBoxLayout()
        row.addWidget(title, 1)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        results.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        state = self.results.project.state if self.results.project else None
        edits = state.edits if state else ()
        selected = self.selected_id()
        self.table.setRowCount(len(edits))
        for row, edit in enumerate(edits):
            if edit.kind == "inpaint":
                gains = "—"
            else:
                residual = (
                    "silent" if edit.residual_gain_db is None else f"{edit.residual_gain_db:+.1f}"
                )
                gains = f"T {edit.target_gain_db:+.1f} / R {residual} dB"
            cells = (
                "repair" if edit.kind == "inpaint" else "remix",
                f"{format_time(edit.start)}–{format_time(edit.end)}",
                gains,
                take_title(state.take(edit.take_id)) if state else "",
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, edit.id)
                self.table.setItem(row, col, item)
        self.table.set_ids([e.id for e in edits], selected)
        self._update_buttons()

    def selected_id(self) -> str | None:
        return self.table.selected_id()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.selected_id() is not None)

    def remove_selected(self) -> None:
        edit_id, project = self.selected_id(), self.results.project
        if edit_id is None or project is None:
            return
        try:
            project.remove_edit(edit_id)
        except IsoldeError as exc:
            self.results.message.emit(str(exc))

    def show_edit(self, row: int) -> None:
        project = self.results.project
        if project is None or not 0 <= row < len(self.table.ids):
            return
        edit = project.state.edit(self.table.ids[row])
        margin = (edit.end - edit.start) * 0.1
        self.results.timeline.view.show_range(edit.start - margin, edit.end + margin)
