"""Keys for a control reached with the keyboard: a button takes Space and Return, a list box
Space, letters, Home and End, as in any dialog; a table with the focus, however it got it,
takes Home, End, Page Up and Page Down. Without this the window's one-key shortcuts
(Space: play / pause, S: spectrogram, Home: playhead to start) take them first, and a push
button outside a dialog ignores Return, so a keyboard-only user could Tab to a panel's buttons
but never press them.

A control a mouse click focused leaves Space to play / pause, as before: click Separate, then
Space to listen, without starting a second job."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDockWidget,
    QPushButton,
    QTableView,
    QToolButton,
    QWidget,
)

# (keys, what they do) in the panels, for the shortcut reference (Help → Keyboard shortcuts).
PANEL_KEYS: tuple[tuple[str, str], ...] = (
    ("Tab, Shift+Tab", "Move to the next or previous control; out of a table too"),
    ("Space, Return", "Press the button Tab reached"),
    ("Space", "Tick the check box or open the list Tab reached"),
    ("A letter, Home, End", "Choose in the list Tab reached: the item it starts, first, last"),
    ("Home, End, Page Up, Page Down", "Move in the table with the focus: first, last row, a page"),
)
PRESS_KEYS = frozenset({Qt.Key.Key_Space})
CLICK_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})
LIST_KEYS = frozenset({Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown})
ROW_KEYS = frozenset({Qt.Key.Key_Home, Qt.Key.Key_End})
CLICKED_BY_RETURN = (QPushButton, QToolButton)
PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
BY_KEYBOARD = "isolde_focus_by_keyboard"  # a property on the control, set as focus arrives


def _takes_keys(widget: QWidget) -> bool:
    if isinstance(widget, QAbstractButton | QAbstractItemView):
        return True
    return isinstance(widget, QComboBox) and not widget.isEditable()


def _lists_rows(widget: QObject) -> bool:
    """A table whose rows are selected whole: one item per row, as in a list."""
    rows = QAbstractItemView.SelectionBehavior.SelectRows
    return isinstance(widget, QTableView) and widget.selectionBehavior() == rows


def inside_window(widget: QWidget, window: QWidget) -> bool:
    """`widget` is in `window` or in one of its floating docks (where its shortcuts also act),
    not in a dialog: there Return belongs to the dialog's default button."""
    while widget is not window:
        if widget.isWindow() and not isinstance(widget, QDockWidget):
            return False
        parent = widget.parentWidget()
        if parent is None:
            return False
        widget = parent
    return True


def _own_key(widget: QObject, event: QKeyEvent) -> bool:
    """Whether the key is one the control handles itself: Space presses a button, ticks a
    check box or opens a list box; Return presses a push or tool button (a check box keeps
    Qt's meaning: none); in a list box a letter or digit jumps to the item it starts, Home and
    End to the first and last (window-wide they move the playhead); in a table Home, End and
    the page keys move the current row (Space and letters keep their window meaning)."""
    key = event.key()
    if isinstance(widget, QAbstractButton):
        return key in PRESS_KEYS or (key in CLICK_KEYS and isinstance(widget, CLICKED_BY_RETURN))
    if isinstance(widget, QComboBox):
        return key in PRESS_KEYS or key in LIST_KEYS or event.text().isalnum()
    if isinstance(widget, QAbstractItemView):
        return key in LIST_KEYS
    return False


class ButtonKeys(QObject):
    """Watches where the focus goes in `window`: a control that gets it with no mouse button
    down, from another control of the window still enabled and shown (Tab, Shift+Tab, a
    mnemonic), takes its own keys while it keeps the focus."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)  # let go with this object, the window's child

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if new is None or not _takes_keys(new) or not inside_window(new, self.window):
            return
        new.installEventFilter(self)  # Qt keeps one copy however often it is installed
        if old is None or not inside_window(old, self.window):
            return  # back from a dialog or another program: as it was before
        # Qt gives the focus on the mouse press, so a button is still down for a click. A
        # control that was disabled or hidden passes the focus on with no key pressed: the
        # next one must not take the Space meant for play / pause (Cancel → Retry).
        by_keyboard = (
            QApplication.mouseButtons() == Qt.MouseButton.NoButton
            and old.isEnabled()
            and old.isVisible()
        )
        new.setProperty(BY_KEYBOARD, by_keyboard)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if not isinstance(event, QKeyEvent) or event.modifiers() not in PLAIN:
            return False
        # Key events reach only the focused control, so the filter needs no focus check.
        # A table takes its keys however it got the focus, as the spans table takes Delete.
        takes = watched.property(BY_KEYBOARD) or isinstance(watched, QAbstractItemView)
        if not takes or not _own_key(watched, event):
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # the key goes to the control, not to a window shortcut
            return True
        if event.key() in CLICK_KEYS and isinstance(watched, QAbstractButton):
            watched.animateClick()  # outside a dialog a push button ignores Return
            return True
        if event.key() in ROW_KEYS and _lists_rows(watched):
            # A table's Home / End go to the row's first / last cell; where a row is one item
            # they mean the first / last row, which is the table's Ctrl+Home / Ctrl+End.
            control = Qt.KeyboardModifier.ControlModifier
            QApplication.sendEvent(watched, QKeyEvent(kind, event.key(), control))
            return True
        return False  # the control's own key handling does the rest
