"""Help → Keyboard shortcuts: a read-only, grouped, searchable reference built from the window's
own menus (so it cannot fall out of date) plus the mouse gestures the timeline and the video
viewer declare next to the code that handles them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMenuBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from isolde.ui.shell.button_keys import PANEL_KEYS
from isolde.ui.shell.editor_actions import COMMANDS_BY_KEY, command_text, keys_text
from isolde.ui.timeline.gestures import TIMELINE_GESTURES
from isolde.ui.video.gestures import VIDEO_GESTURES

# After the menus' commands: the keys of the panels' own controls, then the mouse.
OTHER_GROUPS = (
    ("Keyboard — panels", PANEL_KEYS),
    ("Mouse — timeline", TIMELINE_GESTURES),
    ("Mouse — video", VIDEO_GESTURES),
)


@dataclass(frozen=True)
class Entry:
    command: str
    keys: str  # the key sequences, or for the mouse the gesture


@dataclass(frozen=True)
class Group:
    title: str
    entries: tuple[Entry, ...]


def reference_groups(bar: QMenuBar) -> list[Group]:
    """One group per menu of `bar` (in menu-bar order, every command in menu order), then the
    panels' keys and the mouse groups."""
    groups: list[Group] = []
    for menu_action in bar.actions():
        menu = menu_action.menu()
        if isinstance(menu, QMenu):
            entries = tuple(_entries(menu, prefix=""))
            if entries:
                groups.append(Group(command_text(menu.title()), entries))
    for title, gestures in OTHER_GROUPS:
        groups.append(Group(title, tuple(Entry(what, how) for how, what in gestures)))
    return groups


def _entries(menu: QMenu, prefix: str) -> list[Entry]:
    found: list[Entry] = []
    for action in menu.actions():
        if action.isSeparator():
            continue
        sub = action.menu()
        if isinstance(sub, QMenu):  # e.g. the output devices: only what has keys is listed
            inner = _entries(sub, f"{prefix}{command_text(sub.title())} › ")
            found += [e for e in inner if e.keys]
            continue
        found.append(Entry(prefix + _label(action), keys_text(action.shortcuts())))
    return found


def _label(action: QAction) -> str:
    command = COMMANDS_BY_KEY.get(action.objectName())
    if command is not None:  # the table's text, not the live one ("Undo Add mark", "Pause")
        return command_text(command.text)
    if isinstance(action.parent(), QDockWidget):  # a dock's show/hide toggle
        title = command_text(action.text()).split(" — ")[0]  # not "Jobs — file.wav (unsaved)"
        return f"{title} panel"
    return command_text(action.text())


def matches(group: Group, entry: Entry, words: list[str]) -> bool:
    """Every word of the filter is in the command, its keys or its group's title."""
    haystack = f"{group.title} {entry.command} {entry.keys}".lower()
    return all(word in haystack for word in words)


class ShortcutsDialog(QDialog):
    """Non-modal, so it can stay open beside the editor while one learns the keys."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("shortcuts-dialog")
        self.setWindowTitle("Keyboard shortcuts and mouse")
        self._bar = window.menuBar()
        self.filter = QLineEdit(self)
        self.filter.setAccessibleName("Filter shortcuts")
        self.filter.setPlaceholderText("Filter: a command, a key (Ctrl+Z) or a gesture (wheel)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.apply_filter)
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName("Keyboard shortcuts")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Command", "Keys or mouse"])
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)  # groups stay open: this is a list to read
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.empty = QLabel(self)
        self.empty.setAccessibleName("No shortcut matches")
        self.empty.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        self.resize(780, 680)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild from the menus as they are now, then filter again."""
        self.tree.clear()
        self._rows: list[tuple[Group, Entry, QTreeWidgetItem]] = []
        bold = QFont(self.font())
        bold.setBold(True)
        for group in reference_groups(self._bar):
            head = QTreeWidgetItem(self.tree, [group.title])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            head.setFont(0, bold)
            head.setFirstColumnSpanned(True)
            for entry in group.entries:
                item = QTreeWidgetItem(head, [entry.command, entry.keys])
                item.setToolTip(0, entry.command)  # in full, should the column be narrow
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self._rows.append((group, entry, item))
        self.tree.expandAll()
        self.apply_filter(self.filter.text())

    def apply_filter(self, text: str) -> None:
        words = text.lower().split()
        shown = 0
        for group, entry, item in self._rows:
            hit = matches(group, entry, words)
            item.setHidden(not hit)
            shown += hit
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            children = (head.child(j) for j in range(head.childCount()))
            head.setHidden(all(child.isHidden() for child in children))
        self.empty.setText(f"Nothing matches “{text.strip()}”")
        self.empty.setVisible(shown == 0)

    def visible_rows(self) -> list[tuple[str, str, str]]:
        """(group, command, keys) of the rows shown, read off the widget: what the user sees."""
        rows = []
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            for j in range(head.childCount()):
                item = head.child(j)
                if not head.isHidden() and not item.isHidden():
                    rows.append((head.text(0), item.text(0), item.text(1)))
        return rows


def show_shortcuts(window: QMainWindow) -> ShortcutsDialog:
    """Open the reference (or bring the open one up, rebuilt: texts and keys may have changed)."""
    dialog = window.findChild(ShortcutsDialog, "shortcuts-dialog")
    if dialog is None:
        dialog = ShortcutsDialog(window)
    else:
        dialog.refresh()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.filter.setFocus()
    return dialog
