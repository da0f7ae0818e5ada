"""What the user is doing with the mask tools, as opposed to what the project holds: the current
tool, its size and the mask object being edited. Shared by the mask panel, the paint handler and
the keyframe ticks, so that they agree without copying each other (like `ui.edit_state`).
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QObject, Signal

DEFAULT_SIZE = 24.0  # brush/eraser diameter, image pixels
MIN_SIZE, MAX_SIZE = 1.0, 400.0


class MaskTool(StrEnum):
    RECT = "rect"
    ELLIPSE = "ellipse"
    POLYGON = "polygon"
    BRUSH = "brush"
    ERASER = "eraser"


TOOL_TITLES = {
    MaskTool.RECT: "Rectangle",
    MaskTool.ELLIPSE: "Ellipse",
    MaskTool.POLYGON: "Polygon",
    MaskTool.BRUSH: "Brush",
    MaskTool.ERASER: "Eraser",
}


class MaskToolState(QObject):
    tool_changed = Signal(object)  # a MaskTool, or None (no tool: the mouse pans the picture)
    size_changed = Signal(float)
    object_changed = Signal(object)  # the mask object id being edited, or None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tool: MaskTool | None = None
        self._size = DEFAULT_SIZE
        self._object: str | None = None

    @property
    def tool(self) -> MaskTool | None:
        return self._tool

    def set_tool(self, tool: MaskTool | str | None) -> None:
        tool = None if tool is None else MaskTool(tool)
        if tool != self._tool:
            self._tool = tool
            self.tool_changed.emit(tool)

    @property
    def size(self) -> float:
        return self._size

    def set_size(self, size: float) -> None:
        size = min(max(float(size), MIN_SIZE), MAX_SIZE)
        if size != self._size:
            self._size = size
            self.size_changed.emit(size)

    @property
    def object_id(self) -> str | None:
        return self._object

    def set_object(self, mask_id: str | None) -> None:
        if mask_id != self._object:
            self._object = mask_id
            self.object_changed.emit(mask_id)
