"""The one notice an unexpected error shows: a bar above the timeline with the error in one line,
"Open log" and "Dismiss".

It is not a dialog: nothing blocks, and a burst of errors updates the same bar ("3 errors — see
the log") instead of stacking windows. Its colours are fixed light-on-dark-red, legible in every
theme; the text is announced to screen readers when it changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAccessible, QAccessibleEvent, QDesktopServices
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

SUMMARY_LIMIT = 160  # characters of the error shown; the log holds all of it
STYLE = (
    "QFrame#error-notice { background: #6e1f1f; border-bottom: 1px solid #b04040; }"
    "QFrame#error-notice QLabel { color: #ffffff; }"
)


def one_line(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """The first line of `text`, cut to `limit` characters with an ellipsis."""
    lines = text.strip().splitlines()
    first = lines[0].strip() if lines else ""
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


class ErrorNotice(QFrame):
    """Counts the errors since it was last dismissed and says so; `log_path` gives the file that
    "Open log" opens (None: the log could not be written)."""

    def __init__(self, log_path: Callable[[], Path | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._log_path = log_path
        self.count = 0
        self._text = ""
        self.setObjectName("error-notice")
        self.setAccessibleName("Unexpected error")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(STYLE)
        self.label = QLabel()
        self.label.setObjectName("error-notice-text")
        self.label.setAccessibleName("Error message")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("Open log")
        self.open_button.setAccessibleDescription("Open the log file with the full error report")
        self.open_button.clicked.connect(self.open_log)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setAccessibleDescription("Hide this message")
        self.dismiss_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.dismiss_button)
        self.hide()

    def report(self, summary: str) -> None:
        """One more unexpected error (`summary`: its type and message, already scrubbed)."""
        self.count += 1
        error = one_line(summary) or "an unexpected error"
        logged = self._log_path() is not None
        if self.count == 1:
            where = "the full report is in the log" if logged else "see the terminal"
            text = f"Something went wrong: {error} — {where}."
        else:
            where = "see the log" if logged else "see the terminal"
            text = f"{self.count} errors — {where}. Latest: {error}"
        self._text = text
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.open_button.setEnabled(logged)
        self.show()
        QAccessible.updateAccessibility(QAccessibleEvent(self.label, QAccessible.Event.Alert))

    def dismiss(self) -> None:
        """Hide the bar; the next error starts counting again from one."""
        self.count = 0
        self.hide()

    def open_log(self) -> bool:
        """Open the log file in the desktop's viewer for it; False (said in the bar) if not."""
        path = self._log_path()
        if path is not None and path.exists():
            if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
                return True
            self.label.setText(f"{self._text} No program opened the log: {path}")
        else:
            self.label.setText(f"{self._text} The log file is missing.")
        return False
