"""The list of masked objects in the Mask panel: one row per object with its colour, its name
(renamed in place) and its "send" checkbox; the current row is the object being edited.

It shows what it is given (`show`) and reports what the user did (`renamed`, `send_changed`,
and the current row through `MaskToolState.set_object`); the panel turns those into project
edits. Rows are only rebuilt when objects come or go, never inside the list's own signal.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from isolde.core.masks import MaskObject
from isolde.ui.video.mask_state import MaskToolState

ID_ROLE = Qt.ItemDataRole.UserRole


def swatch(colour: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


def describe(obj: MaskObject) -> str:
    keys = len(obj.keyframes)
    tracked = f", tracked on {len(obj.track)} frames" if obj.track else ""
    sent = "sent with Separate" if obj.send else "not sent"
    return f"{obj.name}: {keys} keyframe{'s' * (keys != 1)}{tracked} — {sent}"


class MaskObjectList(QListWidget):
    renamed = Signal(str, str)  # mask id, the new name
    send_changed = Signal(str, bool)  # mask id, send

    def __init__(self, tools: MaskToolState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tools = tools
        self.setAccessibleName("Masked objects")
        self.setIconSize(QSize(14, 14))
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setToolTip("Tick the objects Separate sends; double-click a name to rename it")
        self._masks: tuple[MaskObject, ...] = ()
        self._in_signal = False
        self.currentItemChanged.connect(self._current_changed)
        self.itemChanged.connect(self._item_changed)

    def show_objects(self, masks: Sequence[MaskObject]) -> None:
        """Show these objects, the one `tools.object_id` names as the current row."""
        self._masks = tuple(masks)
        ids = [m.id for m in masks]
        shown = [self.item(i).data(ID_ROLE) for i in range(self.count())]
        if ids != shown and self._in_signal:
            QTimer.singleShot(0, lambda: self.show_objects(self._masks))
            return
        self.blockSignals(True)
        try:
            if ids != shown:
                self.clear()
                for obj in masks:
                    item = QListWidgetItem()
                    item.setData(ID_ROLE, obj.id)
                    item.setFlags(
                        item.flags() | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable
                    )
                    self.addItem(item)
            editing = self.state() == QAbstractItemView.State.EditingState
            for row, obj in enumerate(masks):
                item = self.item(row)
                if not (editing and item is self.currentItem()):
                    item.setText(obj.name)
                item.setIcon(swatch(obj.color))
                item.setCheckState(Qt.CheckState.Checked if obj.send else Qt.CheckState.Unchecked)
                item.setToolTip(describe(obj))
                if obj.id == self.tools.object_id and item is not self.currentItem():
                    self.setCurrentItem(item)
        finally:
            self.blockSignals(False)

    def _current_changed(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is not None:
            self.tools.set_object(item.data(ID_ROLE))

    def _item_changed(self, item: QListWidgetItem) -> None:
        obj = next((m for m in self._masks if m.id == item.data(ID_ROLE)), None)
        if obj is None:
            return
        name = item.text().strip()
        send = item.checkState() == Qt.CheckState.Checked
        self._in_signal = True
        try:
            if name and name != obj.name:
                self.renamed.emit(obj.id, name)
            elif not name:
                self.blockSignals(True)
                item.setText(obj.name)  # an empty name is not a name: show the old one again
                self.blockSignals(False)
            if send != obj.send:
                self.send_changed.emit(obj.id, send)
        finally:
            self._in_signal = False
