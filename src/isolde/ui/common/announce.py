"""Announcements: a message that matters (a job finished or failed) shown in the status bar and
sent to assistive technology as an alert, so a user who is not looking at the status bar hears it.

Qt's status bar reports its current message as its accessible name, so the status bar itself is
the live region: the message goes in, then NameChanged and Alert events go out from it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QMainWindow

SHOWN_MS = 15_000  # long enough to read a result's name; the Jobs panel keeps the record


def announce(window: QMainWindow, text: str) -> None:
    """Show `text` in `window`'s status bar and announce it to assistive technology."""
    bar = window.statusBar()
    bar.showMessage(text, SHOWN_MS)
    send_event(bar, QAccessible.Event.NameChanged)
    send_event(bar, QAccessible.Event.Alert)


def send_event(obj: QObject, kind: QAccessible.Event) -> None:
    """Tell assistive technology that `obj` changed (a no-op while none is listening)."""
    QAccessible.updateAccessibility(QAccessibleEvent(obj, kind))
