"""Colours shared by the timeline and the marks list, so a kind looks the same everywhere."""

from __future__ import annotations

from PySide6.QtGui import QColor

from isolde.ui.marks.marks import EXCLUDE, INCLUDE, INPAINT

KIND_COLOURS = {
    INCLUDE: QColor(70, 190, 100),
    EXCLUDE: QColor(225, 75, 75),
    INPAINT: QColor(110, 140, 255),
}
