"""The takes list: every take of the project, with its provenance and stereo image; pick the
active one (A), compare it with another (B), rename one (F2 or double-click on its name), or
remove one the timeline does not use."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QTableWidgetItem,
    QWidget,
)

from isolde.core.errors import IsoldeError
from isolde.core.state import rename_take
from isolde.core.takes import Take
from isolde.jobs.naming import engine_name
from isolde.ui.common.id_table import IdTable
from isolde.ui.common.panel_layout import named_button, table_over_buttons
from isolde.ui.results.results import Results
from isolde.ui.results.take_info import (
    check_text,
    check_tooltip,
    cost_text,
    created_text,
    stereo_text,
    take_title,
)

# Check comes right after the name: at 1280 px the dock shows four or five columns, and the
# verdict matters more than when or how the take was made.
HEADERS = ("", "Take", "Check", "Engine", "Kind", "Created", "Cost", "Stereo")
CHECK_COLUMN = HEADERS.index("Check")  # the result check's verdict; the tooltip has it whole
CHECK_WIDTH_PX = 260  # at most: a long verdict is elided (…) rather than pushing the rest away
NAME_COLUMN = 1  # the only editable cell: the take's name


class TakesPanel(QWidget):
    def __init__(self, results: Results, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results = results
        self.shown: tuple[int, str | None] = (0, None)  # (takes, active take) at the last refill
        self.setAccessibleName("Takes panel")
        self.table = IdTable(HEADERS, self)
        self.table.setAccessibleName("Takes")
        self.table.setAccessibleDescription(
            "Every result of this project. Enter makes a take active (A); F2 or a double-click "
            "on its name renames it; Compare plays it as B against the active take."
        )
        triggers = QAbstractItemView.EditTrigger
        self.table.setEditTriggers(triggers.EditKeyPressed | triggers.DoubleClicked)
        # A double-click on the name renames (the cell's editor opens); elsewhere it picks.
        self.table.cellDoubleClicked.connect(
            lambda _row, col: self.make_active() if col != NAME_COLUMN else None
        )
        self.table.itemChanged.connect(self._renamed)
        self.table.activated.connect(lambda _index: self.make_active())
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.active_button = named_button(self, "Make active (A)", "Make the selected take active")
        self.compare_button = named_button(self, "Compare as B", "Compare the selected take as B")
        self.stop_compare_button = named_button(self, "Stop comparing", "Stop comparing takes")
        self.remove_button = named_button(self, "Remove take", "Remove the selected take")
        self.active_button.clicked.connect(self.make_active)
        self.compare_button.clicked.connect(self.compare_selected)
        self.stop_compare_button.clicked.connect(lambda: results.set_compare(None))
        self.remove_button.clicked.connect(self.remove_selected)
        table_over_buttons(
            self,
            self.table,
            (self.active_button, self.compare_button, self.stop_compare_button, self.remove_button),
        )
        results.changed.connect(self.refresh)
        self.refresh()

    # -- showing --------------------------------------------------------------------------
    def refresh(self) -> None:
        results = self.results
        state = results.project.state if results.project else None
        takes: tuple[Take, ...] = state.takes if state else ()
        selected = self.selected_id()
        channels = results.source.channels if results.source else 2
        self.table.blockSignals(True)  # filling cells is not the user renaming them
        self.table.setRowCount(len(takes))
        for row, take in enumerate(takes):
            role = (
                "A"
                if state and take.id == state.active_take
                else "B"
                if take.id == results.compare_id
                else ""
            )
            cells = (
                role,
                take_title(take),
                check_text(take),
                engine_name(take.provider),
                take.kind,
                created_text(take),
                cost_text(take),
                stereo_text(take, channels),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, take.id)
                if col == NAME_COLUMN:
                    item.setToolTip(f"{take.endpoint} · id {take.id} — F2 renames it")
                else:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if col == CHECK_COLUMN:
                    item.setToolTip(check_tooltip(take))
                if col == NAME_COLUMN and take.problems:  # seen without scrolling to Check
                    item.setIcon(
                        self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
                    )
                    item.setToolTip(f"{item.toolTip()}\n{check_tooltip(take)}")
                if role:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        self.table.set_ids([t.id for t in takes], selected)
        header = self.table.horizontalHeader()
        header.resizeSection(CHECK_COLUMN, min(header.sectionSize(CHECK_COLUMN), CHECK_WIDTH_PX))
        self._show_what_changed(takes, state.active_take if state else None)
        self._update_buttons()

    def _show_what_changed(self, takes: tuple[Take, ...], active: str | None) -> None:
        """Scroll a take that just arrived, or just became active, into view: the dock is a few
        rows high, and a new take lands below them."""
        before, shown_active = self.shown
        self.shown = (len(takes), active)
        ids = [t.id for t in takes]
        arrived = ids[before:]
        if arrived:
            shown = active if active in arrived else arrived[-1]
        elif active != shown_active and active in ids:
            shown = active
        else:
            return
        # After the view has laid out the new rows: until then its scroll range is the old one.
        QTimer.singleShot(0, self, lambda: self._scroll_to(shown))

    def _scroll_to(self, take_id: str) -> None:
        if take_id in self.table.ids:
            self.table.scrollToItem(self.table.item(self.table.ids.index(take_id), NAME_COLUMN))

    def selected_id(self) -> str | None:
        return self.table.selected_id()

    def select_take(self, take_id: str) -> None:
        self.table.select_id(take_id)

    def _update_buttons(self) -> None:
        picked = self.selected_id()
        state = self.results.project.state if self.results.project else None
        active = state.active_take if state else None
        self.active_button.setEnabled(picked is not None and picked != active)
        self.compare_button.setEnabled(
            picked is not None and active is not None and picked != active
        )
        self.stop_compare_button.setEnabled(self.results.compare_id is not None)
        self.remove_button.setEnabled(picked is not None)

    # -- commands -------------------------------------------------------------------------
    def make_active(self) -> None:
        picked = self.selected_id()
        if picked is not None:
            self._run(lambda: self.results.make_active(picked))

    def rename(self, take_id: str, name: str) -> None:
        """Name a take (one undo step); an empty name goes back to the one made from its
        request. Every view of the take (lanes, remix, edits, jobs) reads the new name."""
        project = self.results.project
        if project is not None:
            label = " ".join(name.split())
            self._run(
                lambda: project.apply("Rename take", lambda s: rename_take(s, take_id, label))
            )

    def _renamed(self, item: QTableWidgetItem) -> None:
        take_id = item.data(Qt.ItemDataRole.UserRole)
        if item.column() == NAME_COLUMN and take_id:
            # After the signal: renaming rebuilds the rows, and this item must outlive its signal.
            text = item.text()
            QTimer.singleShot(0, lambda: self._rename_now(str(take_id), text))

    def _rename_now(self, take_id: str, name: str) -> None:
        self.rename(take_id, name)
        self.refresh()  # also when nothing changed: the cell shows the name, not the typing

    def compare_selected(self) -> None:
        picked = self.selected_id()
        if picked is not None:
            self.results.set_compare(picked)

    def remove_selected(self) -> None:
        picked, project = self.selected_id(), self.results.project
        if picked is not None and project is not None:
            self._run(lambda: project.remove_take(picked))

    def _run(self, fn) -> None:  # type: ignore[no-untyped-def]
        try:
            fn()
        except IsoldeError as exc:  # e.g. removing a take the timeline still uses
            self.results.message.emit(str(exc))
