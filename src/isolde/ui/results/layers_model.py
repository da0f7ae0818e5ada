"""The layer tree as a table: name (editable), colour, gain, mute and solo per layer.

Rows are `layer_tree` (the source first, then depth-first; the source alone while unsplit).
Editing a cell is an edit of the project (`Project.apply`, one undo step) and the rows are
rebuilt from the state it announces: the model never holds a layer of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from isolde.core.errors import IsoldeError
from isolde.core.layers import (
    Layer,
    depth,
    layer_colour,
    layer_tree,
    rename_layer,
    root_layer,
    set_layer_mix,
)
from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.ui.results.take_info import take_title

HEADERS = ("Layer", "Colour", "Gain (dB)", "Mute", "Solo", "Audio")
NAME, COLOUR, GAIN, MUTE, SOLO, AUDIO = range(len(HEADERS))
MIN_GAIN_DB, MAX_GAIN_DB = -60.0, 24.0
Index = QModelIndex | QPersistentModelIndex


def audio_text(state: ProjectState, layer: Layer) -> str:
    """Where a layer's audio comes from, in a few words."""
    titles = {t.id: take_title(t) for t in state.takes}
    if not layer.is_leaf:
        return f"split by “{titles.get(layer.split_by or '', layer.split_by)}”"
    if not layer.parts:  # the source, never split: say how to begin
        return "the recording — select it, set marks or a prompt, and Split"
    return " + ".join(f"{p.role} of “{titles.get(p.take, p.take)}”" for p in layer.parts)


class LayersModel(QAbstractTableModel):
    def __init__(
        self,
        message: Callable[[str], None],
        mix_edited: Callable[[], None] = lambda: None,
        parent=None,  # type: ignore[no-untyped-def]
    ) -> None:
        super().__init__(parent)
        self._mix_edited = mix_edited  # a gain, mute or solo changed: the panel makes it heard
        self.project: Project | None = None
        self.rows: tuple[Layer, ...] = ()
        self._state: ProjectState | None = None
        self._message = message

    def set_state(self, project: Project | None) -> None:
        state = project.state if project else None
        rows = (layer_tree(state) or (root_layer(),)) if state and state.media else ()
        self.project = project
        if [x.id for x in rows] == [x.id for x in self.rows]:
            # Same rows (a rename, a gain): new values in place, so an open editor and the
            # selection survive the edit that the editor itself just made.
            self.rows, self._state = rows, state
            self.refresh_cells()
            return
        self.beginResetModel()
        self.rows, self._state = rows, state
        self.endResetModel()

    # -- reading --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own default)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def layer(self, row: int) -> Layer | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        layer, state = self.layer(index.row()), self._state
        if layer is None or state is None:
            return None
        col, leaf = index.column(), layer.is_leaf
        display = role == Qt.ItemDataRole.DisplayRole
        if col == NAME:
            if display:
                indent = "    " * (depth(state, layer.id) if state.layers else 0)
                return f"{indent}{'▸ ' if not leaf else ''}{layer.name}"
            if role == Qt.ItemDataRole.EditRole:
                return layer.name
            if role == Qt.ItemDataRole.ToolTipRole:
                return "F2 or a double-click renames it" + ("" if leaf else " · a split layer")
        if col == COLOUR:
            colour = layer_colour(state, layer)
            if role == Qt.ItemDataRole.DecorationRole:
                return QColor(colour)  # a swatch; the hex is for tooltips and editing
            if role in (Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole):
                return colour
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return f"colour {colour}"
        if col == GAIN and leaf and display:
            return f"{layer.gain_db:+.1f}"
        if col == GAIN and leaf and role == Qt.ItemDataRole.EditRole:
            return layer.gain_db
        if col in (MUTE, SOLO) and leaf and role == Qt.ItemDataRole.CheckStateRole:
            on = layer.mute if col == MUTE else layer.solo
            return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        if col == AUDIO and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return audio_text(state, layer)  # the tooltip: the whole text when it is cut short
        if role == Qt.ItemDataRole.AccessibleTextRole and col in (MUTE, SOLO) and leaf:
            on = layer.mute if col == MUTE else layer.solo
            return f"{HEADERS[col]} {'on' if on else 'off'}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        layer = self.layer(index.row())
        if layer is None:
            return base
        col = index.column()
        if col == NAME:
            return base | Qt.ItemFlag.ItemIsEditable  # the colour has its own dialog
        if layer.is_leaf and col == GAIN:
            return base | Qt.ItemFlag.ItemIsEditable
        if layer.is_leaf and col in (MUTE, SOLO):
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    # -- editing --------------------------------------------------------------------------
    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        layer = self.layer(index.row())
        if layer is None or self.project is None:
            return False
        col = index.column()
        try:
            if col == NAME and role == Qt.ItemDataRole.EditRole:
                name = " ".join(str(value).split())
                if not name or name == layer.name:
                    return False
                return self._edit("Rename layer", lambda s: rename_layer(s, layer.id, name))
            if col == COLOUR and role == Qt.ItemDataRole.EditRole:
                colour = QColor(str(value).strip())
                if not colour.isValid():
                    self._message(f"Not a colour: {value!r} (use #rrggbb)")
                    return False
                hex_colour = colour.name()
                return self._edit(
                    "Layer colour", lambda s: set_layer_mix(s, layer.id, colour=hex_colour)
                )
            if col == GAIN and role == Qt.ItemDataRole.EditRole:
                gain = min(MAX_GAIN_DB, max(MIN_GAIN_DB, float(value)))
                done = self._edit("Layer gain", lambda s: set_layer_mix(s, layer.id, gain_db=gain))
                return done and self._heard()
            if col in (MUTE, SOLO) and role == Qt.ItemDataRole.CheckStateRole:
                on = Qt.CheckState(value) == Qt.CheckState.Checked
                if col == MUTE:
                    done = self._edit("Mute layer", lambda s: set_layer_mix(s, layer.id, mute=on))
                else:
                    done = self._edit("Solo layer", lambda s: set_layer_mix(s, layer.id, solo=on))
                return done and self._heard()
        except (TypeError, ValueError):
            self._message(f"Not a number of dB: {value!r}")
        return False

    def _edit(self, label: str, fn: Callable[[ProjectState], ProjectState]) -> bool:
        assert self.project is not None
        try:
            self.project.apply(label, fn)
        except IsoldeError as exc:
            self._message(str(exc))
            return False
        return True

    def _heard(self) -> bool:
        self._mix_edited()
        return True

    def refresh_cells(self) -> None:
        """The same rows with new values (the project changed under them)."""
        if self.rows:
            last = self.index(len(self.rows) - 1, len(HEADERS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
