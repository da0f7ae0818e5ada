"""The spans list as a Qt table model: one row per mark, mirroring the project's state.

The model keeps no state of its own beyond the last `ProjectState` it was shown; every edit made
through `setData` goes to the project (one undo step each) and comes back as a refresh.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import IntEnum
from functools import cache
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from isolde.core.errors import InputError, IsoldeError
from isolde.core.project import Project
from isolde.core.spans import TIME_EPS, Span, effective_spans
from isolde.core.state import ProjectState
from isolde.core.timecode import format_time, parse_time
from isolde.ui.marks.marks import KINDS, Mark, in_time_order, marks_of, set_kind
from isolde.ui.marks.palette import KIND_COLOURS


class Column(IntEnum):
    KIND = 0
    START = 1
    END = 2
    LENGTH = 3
    PROMPT = 4


HEADERS = ("Kind", "Start", "End", "Length", "Prompt")
MARK_ID_ROLE = Qt.ItemDataRole.UserRole
# The timeline's colours, opaque: a small swatch must read on light and dark rows alike.
NO_PROMPT_TIP = "Only inpaint regions carry a prompt"
REGION_PROMPT_TIP = (
    "This region's own prompt: what to generate there when it is inpainted "
    "(double-click or F2 to edit). The Separate prompt is never used for it."
)
NO_REGION_PROMPT = "(no prompt)"

Hidden = tuple[float, float, str]  # start, end, kind of the later span that wins there
Index = QModelIndex | QPersistentModelIndex


def overridden_parts(spans: Sequence[Span]) -> dict[str, list[Hidden]]:
    """For each span, the stretches a later span takes over (the later-wins rule of spans.py)."""
    pieces = effective_spans(spans)
    result: dict[str, list[Hidden]] = {}
    for span in spans:
        hidden: list[Hidden] = []
        for p in pieces:
            if p.id == span.id or p.end <= span.start or p.start >= span.end:
                continue
            a, b = max(p.start, span.start), min(p.end, span.end)
            if hidden and hidden[-1][2] == p.kind and abs(hidden[-1][1] - a) < TIME_EPS:
                hidden[-1] = (hidden[-1][0], b, p.kind)
            else:
                hidden.append((a, b, p.kind))
        if hidden:
            result[span.id] = hidden
    return result


@cache
def _italic() -> QFont:
    # Made once: views ask for fonts per cell on every paint and size hint.
    font = QFont()
    font.setItalic(True)
    return font


def _seconds(t: float) -> str:
    text = f"{t:.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def overlap_note(span_length: float, hidden: list[Hidden]) -> str:
    if sum(b - a for a, b, _ in hidden) >= span_length - TIME_EPS:
        return "Fully overridden by later spans (where spans overlap, the later wins): no effect"
    parts = ", ".join(f"{_seconds(a)}–{_seconds(b)} s ({kind})" for a, b, kind in hidden)
    who = "a later span" if len(hidden) == 1 else "later spans"
    return f"Partly overridden by {who}: {parts}"


class SpansTableModel(QAbstractTableModel):
    edit_failed = Signal(str)  # a user-facing message; the project is unchanged
    edit_succeeded = Signal()
    mark_replaced = Signal(str, str)  # old id, new id: a kind change between span and region

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._marks: list[Mark] = []
        self._spans: tuple[Span, ...] = ()
        self._hidden: dict[str, list[Hidden]] | None = None  # computed when first asked for
        self._state = ProjectState()
        # True while the user drags a mark: rows keep their order so the list does not reshuffle
        # under the pointer; `resort` puts them in time order once the gesture ends.
        self.hold_order: Callable[[], bool] = lambda: False
        self.held = False  # the rows shown are not in time order, waiting for `resort`

    # -- following the project ------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.beginResetModel()
        self._project = project
        self._take(project.state if project is not None else ProjectState())
        self.endResetModel()

    def refresh(self, state: ProjectState) -> None:
        """Show a new state: a reset only when rows come or go, otherwise dataChanged."""
        old = self._marks
        new = self._ordered(state)
        if [m.id for m in old] != [m.id for m in new]:
            self.beginResetModel()
            self._take(state, new)
            self.endResetModel()
            return
        changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        if state.spans != self._spans:
            # Overlap notes of untouched spans may change too.
            changed += [i for i, m in enumerate(new) if not m.is_region]
        self._take(state, new)
        if changed:
            last = len(HEADERS) - 1
            self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), last))

    def resort(self) -> None:
        """Put the rows in time order (after a drag that held them)."""
        self.refresh(self._state)

    def _ordered(self, state: ProjectState) -> list[Mark]:
        """Time order (start, then end); the current order while `hold_order()` says so."""
        marks = marks_of(state)
        ordered = in_time_order(marks)
        position = {m.id: i for i, m in enumerate(self._marks)}
        if (
            self.hold_order()
            and len(position) == len(marks)
            and all(m.id in position for m in marks)
        ):
            held = sorted(marks, key=lambda m: position[m.id])
            self.held = [m.id for m in held] != [m.id for m in ordered]
            return held
        self.held = False
        return ordered

    def _take(self, state: ProjectState, marks: list[Mark] | None = None) -> None:
        self._marks = self._ordered(state) if marks is None else marks
        self._spans = state.spans
        self._state = state
        self._hidden = None

    def mark_at(self, row: int) -> Mark | None:
        return self._marks[row] if 0 <= row < len(self._marks) else None

    def row_of(self, mark_id: str | None) -> int | None:
        return next((i for i, m in enumerate(self._marks) if m.id == mark_id), None)

    def overlap_note(self, row: int) -> str | None:
        mark = self.mark_at(row)
        if mark is None or mark.is_region:
            return None
        if self._hidden is None:
            self._hidden = overridden_parts(self._spans)
        hidden = self._hidden.get(mark.id)
        return overlap_note(mark.end - mark.start, hidden) if hidden else None

    # -- Qt model interface ---------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._marks)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        mark = self.mark_at(index.row()) if index.isValid() else None
        if mark is None:
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        column = index.column()
        if column == Column.LENGTH or (column == Column.PROMPT and not mark.is_region):
            return base
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        mark = self.mark_at(index.row()) if index.isValid() else None
        if mark is None:
            return None
        column = index.column()
        R = Qt.ItemDataRole
        if role in (R.DisplayRole, R.EditRole):
            return self._text(mark, column, index.row(), role == R.EditRole)
        if role == MARK_ID_ROLE:
            return mark.id
        if role == R.DecorationRole and column == Column.KIND:
            return KIND_COLOURS[mark.kind]
        if role in (R.ToolTipRole, R.AccessibleDescriptionRole):
            note = self.overlap_note(index.row())
            if column == Column.PROMPT and not mark.is_region:
                return NO_PROMPT_TIP if note is None else f"{note}\n{NO_PROMPT_TIP}"
            if column == Column.PROMPT:
                return REGION_PROMPT_TIP
            return note
        if role == R.FontRole and self.overlap_note(index.row()):
            return _italic()
        if (
            role == R.ForegroundRole
            and column == Column.PROMPT
            and not (mark.is_region and mark.prompt)
        ):
            palette = QGuiApplication.palette()
            return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if role == R.TextAlignmentRole and column in (Column.START, Column.END, Column.LENGTH):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, mark: Mark, column: int, row: int, editing: bool) -> str:
        if column == Column.KIND:
            if editing:
                return mark.kind
            note = self.overlap_note(row)
            if note is None:
                return mark.kind
            return f"{mark.kind} ({'partly ' if note.startswith('Partly') else ''}overridden)"
        if column == Column.START:
            return format_time(mark.start)
        if column == Column.END:
            return format_time(mark.end)
        if column == Column.LENGTH:
            return format_time(mark.end - mark.start)
        if editing:
            return mark.prompt
        if mark.is_region:
            return mark.prompt or NO_REGION_PROMPT
        return "—"

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        mark = self.mark_at(index.row()) if index.isValid() else None
        if role != Qt.ItemDataRole.EditRole or mark is None or self._project is None:
            return False
        if not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        column = index.column()
        try:
            self._edit(self._project, mark, column, str(value))
        except IsoldeError as e:
            self.edit_failed.emit(f"{HEADERS[column]}: {e}")
            return False
        self.edit_succeeded.emit()
        return True

    def _edit(self, project: Project, mark: Mark, column: int, text: str) -> None:
        if column == Column.KIND:
            kind = text.strip().lower()
            if kind not in KINDS:
                raise InputError(f"unknown kind {text!r}: choose {', '.join(KINDS)}")
            new_id = set_kind(project, mark, kind)
            if new_id != mark.id:
                self.mark_replaced.emit(mark.id, new_id)
            return
        if column == Column.PROMPT:
            project.update_region(mark.id, prompt=text)
            return
        # One field at a time, so the undo label says "Resize", and the other end stays exact.
        field = "start" if column == Column.START else "end"
        t = parse_time(text)
        if mark.is_region:
            project.update_region(mark.id, **{field: t})
        else:
            project.update_span(mark.id, **{field: t})


class MarkDelegate(QStyledItemDelegate):
    """A kind combo for the Kind column; text editors elsewhere. Every editor is named."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        if index.column() == Column.KIND:
            combo = QComboBox(parent)
            combo.addItems(list(KINDS))
            combo.setAccessibleName("Kind")
            # Picking a kind is the whole edit: commit at once rather than on Enter/focus out.
            combo.activated.connect(lambda _i, c=combo: self._commit(c))
            return combo
        editor = super().createEditor(parent, option, index)
        editor.setAccessibleName(HEADERS[index.column()])
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole)))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)

    def _commit(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)
