"""The window's size, place and dock/toolbar layout, remembered between runs.

Saved when the window closes (Qt's saveGeometry/saveState as base64 in the settings file) and
restored when the app starts, before the window is shown. Layout data that is damaged, or was
saved by a version with other docks (LAYOUT_VERSION), is ignored: the default layout stays.
Qt finds docks and toolbars by object name, so each must have one (a test holds this).
View → Reset layout puts the docks back as the window first laid them out (`LayoutReset`).
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow

from isolde.core.settings import SettingsError, load_settings, update_settings

# Bump when docks are added, removed or renamed: an older saved layout is then ignored.
LAYOUT_VERSION = 1
MARKS_PROMPT_PX = (200, 320)  # the right column: ~5 marks rows, then every Prompt field
BOTTOM_DOCKS_PX = 200  # Jobs and Takes: a header, three rows and the buttons
log = logging.getLogger(__name__)


def first_dock_sizes(
    window: QMainWindow, marks: QDockWidget, prompt: QDockWidget, bottom: QDockWidget
) -> None:
    """The default layout's heights, set once every dock is in (earlier sizes do not survive
    the later docks): at 800 px, about five rows of marks above a Prompt that shows every
    field, and three rows of takes below the timeline (two barely showed)."""
    window.resizeDocks([marks, prompt], list(MARKS_PROMPT_PX), Qt.Orientation.Vertical)
    window.resizeDocks([bottom], [BOTTOM_DOCKS_PX], Qt.Orientation.Vertical)


def save_layout(window: QMainWindow) -> None:
    """Remember where the window and its docks are; a window already hidden saves nothing
    (its close ran once before)."""
    if not window.isVisible():
        return
    geometry = _encode(window.saveGeometry())
    state = _encode(window.saveState(LAYOUT_VERSION))
    try:
        update_settings(window_geometry=geometry, window_state=state)
    except SettingsError as exc:  # closing: nowhere to show it, and nothing is lost but layout
        log.warning("window layout not saved: %s", exc)


def restore_layout(window: QMainWindow) -> bool:
    """Put the window and its docks where they were; False (default layout kept) when nothing
    usable was saved."""
    settings = load_settings()
    geometry = _decode(settings.window_geometry)
    state = _decode(settings.window_state)
    restored = geometry is not None and window.restoreGeometry(geometry)
    if state is not None:
        restored = window.restoreState(state, LAYOUT_VERSION) and restored
    return restored


def _encode(data: QByteArray) -> str:
    return base64.b64encode(data.data()).decode("ascii")


def _decode(text: str) -> QByteArray | None:
    if not text:
        return None
    try:
        return QByteArray(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        log.warning("saved window layout is damaged; using the default layout")
        return None


class LayoutReset:
    """The docks and toolbar as the window first laid them out, to go back to after a drag too
    far (a dock floated off screen, a panel closed and not found again).

    Taken when the window is built, before any saved layout is restored. Docks that follow the
    content (the video's, shown with a picture) keep their visibility: a reset must not hide
    the picture of an open video, nor show an empty one."""

    def __init__(self, window: QMainWindow, follow_content: Sequence[QDockWidget]) -> None:
        self.window = window
        self.follow_content = tuple(follow_content)
        self.default = window.saveState(LAYOUT_VERSION)

    def reset(self) -> bool:
        shown = [not dock.isHidden() for dock in self.follow_content]
        done = self.window.restoreState(self.default, LAYOUT_VERSION)
        for dock, visible in zip(self.follow_content, shown, strict=True):
            dock.setVisible(visible)
        return done


def install_layout_reset(
    window: QMainWindow, action: QAction, follow_content: Sequence[QDockWidget]
) -> LayoutReset:
    reset = LayoutReset(window, follow_content)
    action.triggered.connect(lambda _c=False: reset.reset())
    return reset
