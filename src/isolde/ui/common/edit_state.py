"""What the user is doing, as opposed to what the project holds: the current tool, the selected
mark, the in/out points, snapping. Shared by the timeline, the spans list and the actions, so
that they agree without copying each other.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QObject, Signal


class Tool(StrEnum):
    INCLUDE = "include"
    EXCLUDE = "exclude"
    INPAINT = "inpaint"


class EditState(QObject):
    tool_changed = Signal(str)
    selection_changed = Signal(object)  # the selected span/region id, or None
    in_out_changed = Signal()
    snap_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tool = Tool.INCLUDE
        self._selected: str | None = None
        self._in: float | None = None
        self._out: float | None = None
        self._snap = False

    @property
    def tool(self) -> Tool:
        return self._tool

    def set_tool(self, tool: Tool | str) -> None:
        tool = Tool(tool)
        if tool != self._tool:
            self._tool = tool
            self.tool_changed.emit(tool.value)

    @property
    def selected(self) -> str | None:
        return self._selected

    def select(self, mark_id: str | None) -> None:
        if mark_id != self._selected:
            self._selected = mark_id
            self.selection_changed.emit(mark_id)

    @property
    def in_point(self) -> float | None:
        return self._in

    @property
    def out_point(self) -> float | None:
        return self._out

    def set_in(self, t: float | None) -> None:
        self._in = t
        self.in_out_changed.emit()

    def set_out(self, t: float | None) -> None:
        self._out = t
        self.in_out_changed.emit()

    def in_out_range(self) -> tuple[float, float] | None:
        """The marked range in order, or None unless both ends are set and differ."""
        if self._in is None or self._out is None or self._in == self._out:
            return None
        return (min(self._in, self._out), max(self._in, self._out))

    @property
    def snap(self) -> bool:
        return self._snap

    def set_snap(self, on: bool) -> None:
        if on != self._snap:
            self._snap = on
            self.snap_changed.emit(on)
