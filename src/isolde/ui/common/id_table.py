"""A table of whole rows, one selectable at a time, each row standing for an id (a take, an
applied edit): the selection is asked for, and kept across a refill, by id."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QWidget


class IdTable(QTableWidget):
    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(list(headers))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        self.ids: list[str] = []  # row i stands for ids[i]

    def selected_id(self) -> str | None:
        rows = self.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.ids):
            return None
        return self.ids[rows[0].row()]

    def select_id(self, row_id: str | None) -> None:
        """Select the row of `row_id`; nothing happens if no row stands for it."""
        if row_id in self.ids:
            self.selectRow(self.ids.index(row_id))

    def set_ids(self, ids: Sequence[str], selected: str | None) -> None:
        """After filling the rows: what they stand for, the selection they had before
        (`selected`, kept if its row is still there) and columns fitted to their contents."""
        self.ids = list(ids)
        self.select_id(selected)
        self.resizeColumnsToContents()
