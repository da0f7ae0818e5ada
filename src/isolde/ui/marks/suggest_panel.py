"""The suggested-spans panel: progress while the detector listens, then one row per proposal
with Accept / Reject, plus Accept all / Reject all and which kinds to offer.

A view only: it shows what the flow hands it and says what the user asked for through signals;
the flow changes the project.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from isolde.core.timecode import format_time
from isolde.ui.marks.palette import KIND_COLOURS
from isolde.ui.marks.suggest_proposals import CHOICES, Proposal

COLUMNS = ("Kind", "Start", "End", "Sure", "")
ID_ROLE = Qt.ItemDataRole.UserRole


class SuggestPanel(QWidget):
    accept_requested = Signal(list)  # proposal ids
    reject_requested = Signal(list)
    picked = Signal(str)  # a row was selected: show it on the timeline
    play_requested = Signal(str)  # a row was double-clicked: hear it
    choice_changed = Signal(str)
    cancel_requested = Signal()
    run_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Suggested spans")
        self.summary = QLabel("Listen for speech to get spans to accept or reject.")
        self.summary.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName("Listening progress")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop listening; nothing is proposed")
        self.run_button = QPushButton("Listen again")
        self.run_button.setToolTip("Run the speech detector over the whole file again")
        self.choice = QComboBox()
        self.choice.setAccessibleName("Offer")
        for key, text in CHOICES.items():
            self.choice.addItem(text, key)
        self.choice.setToolTip(
            "Speech marks where the wanted voice is; gaps (kept clear of speech) tell the engine "
            "what the background sounds like. The local engine needs gaps."
        )
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Proposals")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setToolTip("Double-click a proposal to hear it")
        self.accept_all = QPushButton("Accept all")
        self.accept_all.setToolTip("Add every proposal listed as a mark (one undo step)")
        self.reject_all = QPushButton("Reject all")
        self.reject_all.setToolTip("Dismiss every proposal listed")

        running = QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel_button)
        offer = QHBoxLayout()
        offer.addWidget(QLabel("Offer:"))
        offer.addWidget(self.choice, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_all)
        buttons.addWidget(self.reject_all)
        buttons.addStretch(1)
        buttons.addWidget(self.run_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(running)
        layout.addLayout(offer)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        self.run_button.clicked.connect(self.run_requested.emit)
        self.accept_all.clicked.connect(lambda: self.accept_requested.emit(self.listed()))
        self.reject_all.clicked.connect(lambda: self.reject_requested.emit(self.listed()))
        self.choice.currentIndexChanged.connect(
            lambda _i: self.choice_changed.emit(self.choice.currentData())
        )
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda item: self.play_requested.emit(self._id(item)))
        self.show_running(None)
        self.show_proposals([], "")

    # -- shown state ----------------------------------------------------------------------
    def show_running(self, fraction: float | None, stage: str = "") -> None:
        """A fraction while the detector runs (None: idle)."""
        running = fraction is not None
        for w in (self.progress, self.cancel_button):
            w.setVisible(running)
        self.run_button.setEnabled(not running)
        if running:
            self.progress.setValue(int(1000 * min(max(fraction, 0.0), 1.0)))
            self.summary.setText(f"{stage.capitalize()}… {fraction:.0%}")

    def show_proposals(self, pending: list[Proposal], summary: str) -> None:
        """List `pending` (in time order). Rows already listed keep their widgets: an accept or
        reject removes one row, an undo inserts rows back, and only a new pass rebuilds."""
        keep = {p.id for p in pending}
        self.table.blockSignals(True)
        for row in reversed(range(self.table.rowCount())):
            if self._id(self.table.item(row, 0)) not in keep:
                self._hide_buttons(row)
                self.table.removeRow(row)
        shown = self.listed()
        listed_before = set(shown)
        if shown != [p.id for p in pending if p.id in listed_before]:  # another order: rebuild
            for row in range(self.table.rowCount()):
                self._hide_buttons(row)
            self.table.setRowCount(0)
        inserts = pending
        if self.table.rowCount() == 0:  # all at once: row by row costs a relayout per row
            self.table.setRowCount(len(pending))
            for row, p in enumerate(pending):
                self._fill(row, p)
            inserts = []
        row = 0
        for p in inserts:
            if row < self.table.rowCount() and self._id(self.table.item(row, 0)) == p.id:
                row += 1
                continue
            self.table.insertRow(row)
            self._fill(row, p)
            row += 1
        self.table.blockSignals(False)
        if len(listed_before) < len(keep):
            self.table.resizeColumnsToContents()
        self.accept_all.setEnabled(bool(pending))
        self.reject_all.setEnabled(bool(pending))
        if summary:
            self.summary.setText(summary)

    def _fill(self, row: int, p: Proposal) -> None:
        cells = (p.kind, format_time(p.start), format_time(p.end), f"{p.confidence:.0%}")
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(ID_ROLE, p.id)
            if column == 0:
                item.setForeground(KIND_COLOURS[p.kind])
            self.table.setItem(row, column, item)
        self.table.setCellWidget(row, len(COLUMNS) - 1, self._row_buttons(p.id))

    def _hide_buttons(self, row: int) -> None:
        old = self.table.cellWidget(row, len(COLUMNS) - 1)
        if old is not None:
            old.hide()  # the table deletes it later; it must not show until then

    def set_choice(self, key: str) -> None:
        self.choice.setCurrentIndex(max(0, self.choice.findData(key)))

    def listed(self) -> list[str]:
        return [self._id(self.table.item(row, 0)) for row in range(self.table.rowCount())]

    def current(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self._id(self.table.item(rows[0].row(), 0)) if rows else None

    # -- internals ------------------------------------------------------------------------
    def _row_buttons(self, proposal_id: str) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(2, 0, 2, 0)
        row.setSpacing(4)
        for text, signal in (("Accept", self.accept_requested), ("Reject", self.reject_requested)):
            button = QToolButton()
            button.setText(text)
            button.setAccessibleName(f"{text} {proposal_id}")
            button.clicked.connect(lambda _c=False, s=signal: s.emit([proposal_id]))
            row.addWidget(button)
        row.addStretch(1)
        return box

    def _selection_changed(self) -> None:
        picked = self.current()
        if picked is not None:
            self.picked.emit(picked)

    @staticmethod
    def _id(item: QTableWidgetItem | None) -> str:
        return str(item.data(ID_ROLE)) if item is not None else ""
