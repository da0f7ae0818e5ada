"""The Layers panel: the source peeled into named layers that add up to it.

Lists the layer tree (name, colour, gain, mute, solo — edited in place, each edit undoable);
Split runs the current marks, prompt and engine on the selected layer's audio; Merge joins two
selected leaves; Delete split gives a split layer its audio back; Hear layers plays the leaves
at their gains; Export stems writes each leaf, a mix and a manifest into a folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QDoubleSpinBox,
    QFileDialog,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from isolde.core.errors import IsoldeError
from isolde.core.layers import Layer, merge_layers, unsplit_layer
from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.ui.common.panel_layout import named_button, table_over_buttons
from isolde.ui.common.subscription import Subscription
from isolde.ui.results.layer_split import LayerSplit
from isolde.ui.results.layers_model import (
    COLOUR,
    GAIN,
    MAX_GAIN_DB,
    MIN_GAIN_DB,
    MUTE,
    NAME,
    SOLO,
    LayersModel,
)
from isolde.ui.results.layers_view import LayersView
from isolde.ui.results.stems_task import StemsRunner


class LayerDelegate(QStyledItemDelegate):
    """Gains edit in a dB spin box bounded like the model's; names in a line edit."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        if index.column() != GAIN:
            return super().createEditor(parent, option, index)
        box = QDoubleSpinBox(parent)
        box.setRange(MIN_GAIN_DB, MAX_GAIN_DB)
        box.setDecimals(1)
        box.setSingleStep(0.5)
        box.setSuffix(" dB")
        box.setAccessibleName("Layer gain")
        return box


class LayersPanel(QWidget):
    def __init__(
        self,
        view: LayersView,
        splitter: LayerSplit,
        message: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.view, self.splitter, self.message = view, splitter, message
        self.project: Project | None = None
        self._subscription = Subscription()
        self.setAccessibleName("Layers panel")
        self.model = LayersModel(message, self._mix_edited, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setItemDelegate(LayerDelegate(self.table))
        self.table.setAccessibleName("Layers")
        self.table.setAccessibleDescription(
            "The layers of this recording; the leaves add up to it. F2 renames a layer, or "
            "edits a gain; Colour… picks a layer's colour."
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        triggers = QAbstractItemView.EditTrigger
        self.table.setEditTriggers(
            triggers.EditKeyPressed | triggers.DoubleClicked | triggers.SelectedClicked
        )
        self.table.verticalHeader().hide()
        # Compact rows: a source peeled three ways (five rows) fits the bottom dock at 800 px.
        rows = self.table.verticalHeader()
        rows.setMinimumSectionSize(self.fontMetrics().height() + 6)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.split_button = named_button(self, "Split", "Split the selected layer with the request")
        self.merge_button = named_button(self, "Merge", "Merge the two selected layers")
        self.unsplit_button = named_button(
            self, "Delete split", "Delete the selected layer's split"
        )
        self.colour_button = named_button(self, "Colour…", "Choose the selected layer's colour")
        self.hear_button = named_button(self, "Hear layers", "Hear the layers at their gains")
        self.hear_button.setCheckable(True)
        self.export_button = named_button(self, "Export stems…", "Export every layer as a stem")
        self.split_button.setToolTip(
            "Runs the current marks, prompt and engine on the selected layer's audio; the "
            "result splits it in two"
        )
        self.split_button.clicked.connect(self.split_selected)
        self.merge_button.clicked.connect(self.merge_selected)
        self.unsplit_button.clicked.connect(self.unsplit_selected)
        self.colour_button.clicked.connect(self._colour_clicked)
        self.hear_button.toggled.connect(self._hear_toggled)
        self.export_button.clicked.connect(self.export_stems)
        buttons = (
            self.split_button,
            self.merge_button,
            self.unsplit_button,
            self.colour_button,
            self.hear_button,
            self.export_button,
        )
        table_over_buttons(self, self.table, buttons)
        self.stems = StemsRunner(message, self)
        self.stems.finished.connect(lambda: self._update_buttons())
        view.changed.connect(self._view_changed)
        splitter.split_done.connect(lambda _id: self.refresh())

    # -- showing --------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self._subscription.stop()
        self.project = project
        self._subscription.follow(project, lambda _state, _reason: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        picked = self.selected_ids()
        self.model.set_state(self.project)
        self.table.resizeColumnsToContents()
        self.select_ids(picked)
        self._update_buttons()

    def _view_changed(self) -> None:
        self.hear_button.blockSignals(True)  # following the view is not the user toggling
        self.hear_button.setChecked(self.view.heard)
        self.hear_button.blockSignals(False)
        self._update_buttons()

    def selected_ids(self) -> list[str]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [layer.id for r in rows if (layer := self.model.layer(r)) is not None]

    def selected(self) -> list[Layer]:
        by_id = {layer.id: layer for layer in self.model.rows}
        return [by_id[i] for i in self.selected_ids() if i in by_id]

    def select_ids(self, ids: list[str]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
        for row, layer in enumerate(self.model.rows):
            if layer.id in ids:
                selection.select(self.model.index(row, 0), flags)

    def _update_buttons(self) -> None:
        picked = self.selected()
        state = self.project.state if self.project else None
        has_layers = bool(state and state.layers)
        one = picked[0] if len(picked) == 1 else None
        self.split_button.setEnabled(one is not None and one.is_leaf)
        self.merge_button.setEnabled(
            len(picked) == 2 and all(x.is_leaf and not x.is_root for x in picked)
        )
        self.unsplit_button.setEnabled(one is not None and not one.is_leaf)
        self.colour_button.setEnabled(one is not None)
        self.hear_button.setEnabled(has_layers)
        self.export_button.setEnabled(has_layers and not self.stems.running)

    # -- commands -------------------------------------------------------------------------
    def split_selected(self) -> None:
        picked = self.selected()
        if self.project is None or len(picked) != 1:
            self.message("Pick one layer to split")
            return
        self.splitter.split(self.project, picked[0].id)

    def merge_selected(self) -> None:
        picked = self.selected()
        if len(picked) != 2:
            self.message("Pick two layers to merge (Ctrl+click the second)")
            return
        a, b = picked
        if self._edit("Merge layers", lambda s: merge_layers(s, a.id, b.id)):
            self.message(f"Merged “{b.name}” into “{a.name}” — undo with Ctrl+Z")
            self.select_ids([a.id])

    def unsplit_selected(self) -> None:
        picked = self.selected()
        if len(picked) != 1:
            return
        layer = picked[0]
        if self._edit("Delete split", lambda s: unsplit_layer(s, layer.id)):
            self.message(f"“{layer.name}” is whole again — undo with Ctrl+Z")
            self.select_ids([layer.id])

    def _edit(self, label: str, fn: Callable[[ProjectState], ProjectState]) -> bool:
        if self.project is None:
            return False
        try:
            self.project.apply(label, fn)
        except IsoldeError as exc:
            self.message(str(exc))
            return False
        return True

    def _hear_toggled(self, on: bool) -> None:
        self.view.set_heard(on)

    def _mix_edited(self) -> None:
        # As with the remix gains: changing how a layer sounds makes the layers heard.
        if not self.view.heard:
            self.view.set_heard(True)
        else:
            self.view.announce()

    def _double_clicked(self, index) -> None:  # type: ignore[no-untyped-def]
        if index.column() == COLOUR:
            self.pick_colour(index.row())

    def _colour_clicked(self) -> None:
        picked = self.selected_ids()
        rows = [i for i, x in enumerate(self.model.rows) if x.id in picked]
        if len(rows) == 1:
            self.pick_colour(rows[0])

    def pick_colour(self, row: int) -> None:
        index = self.model.index(row, COLOUR)
        current = QColor(str(self.model.data(index, Qt.ItemDataRole.EditRole)))
        colour = QColorDialog.getColor(current, self, "Layer colour")
        if colour.isValid():
            self.model.setData(self.model.index(row, COLOUR), colour.name())

    def export_stems(self, folder: str | Path | None = None) -> None:
        """Every leaf as a stem, a mix at the current gains, and a manifest, into `folder`
        (asked for when not given). Runs on a worker; the status bar says when it is done."""
        if self.project is None or not self.project.state.layers:
            self.message("Split the source first: there are no layers to export")
            return
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "Export stems into")
            if not folder:
                return
        self.stems.start(self.project.state, Path(folder))
        self._update_buttons()

    def toggle_cell(self, row: int, column: int) -> None:
        """Flip a mute or solo box (what a click on it does)."""
        if column in (MUTE, SOLO):
            index = self.model.index(row, column)
            checked = self.model.data(index, Qt.ItemDataRole.CheckStateRole)
            on = checked != Qt.CheckState.Checked
            new = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
            self.model.setData(index, new.value, Qt.ItemDataRole.CheckStateRole)

    def set_gain(self, row: int, gain_db: float) -> None:
        self.model.setData(self.model.index(row, GAIN), gain_db)

    def close_panel(self) -> None:
        self._subscription.stop()
        self.stems.cancel()
