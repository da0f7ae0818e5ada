"""How the main window's docks are made: a title, an object name, a name for screen readers,
and the widget they show."""

from __future__ import annotations

from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget


def make_dock(
    window: QMainWindow, title: str, name: str, accessible: str, widget: QWidget
) -> QDockWidget:
    """A dock of `window` titled `title` with object name `name`, showing `widget`; the caller
    places it."""
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setAccessibleName(accessible)
    dock.setWidget(widget)
    return dock
