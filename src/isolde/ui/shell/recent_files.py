"""File → Open Recent: the files last opened or saved, newest first, kept in the settings file.

A file joins the list once it has opened (not when it is asked for: a file that fails to open is
not remembered) and when a project is saved. The bundled sample and autosaves never join: the
user did not choose them. The menu is rebuilt each time it opens, so files that went missing
since are listed disabled; one that vanished after the menu opened is dropped from the list with
a message when chosen.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from isolde.core.paths import absolute, recovery_dir
from isolde.core.project import SAVE, Project
from isolde.core.recovery import AUTOSAVE_SUFFIX
from isolde.core.settings import (
    AppSettings,
    SettingsError,
    load_settings,
    save_settings,
    with_recent,
)
from isolde.ui.common.folders import is_bundled
from isolde.ui.shell.document import LoadedDocument
from isolde.ui.timeline.timeline_widget import TimelineWidget

MENU_NAME = "recent-menu"
FOLDER_CHARS = 48  # a long folder is shortened in the middle; the tooltip has it whole


class RecentWindow(Protocol):
    """What the recent-files menu uses of the main window."""

    project: Project | None
    document: LoadedDocument | None
    timeline: TimelineWidget

    def open_path(self, path: Path) -> bool: ...

    def show_status(self, message: str) -> None: ...


def recent_menu(window: QWidget) -> QMenu:
    """The window's Open Recent submenu (one per window): the menu bar is laid out before the
    list is wired, so whichever asks first makes it."""
    menu = window.findChild(QMenu, MENU_NAME)
    if menu is None:
        menu = QMenu("Open &Recent", window)
        menu.setObjectName(MENU_NAME)
        menu.setAccessibleName("Open recent file")
    return menu


def listable(path: Path) -> bool:
    """False for files the user did not choose: the bundled sample and autosaves (beside a
    project, or in the recovery folder for untitled ones)."""
    if path.name.endswith(AUTOSAVE_SUFFIX):
        return False
    in_recovery = Path(absolute(path)).is_relative_to(absolute(recovery_dir()))
    return not in_recovery and not is_bundled(path)


def entry_text(number: int, path: Path) -> str:
    """Menu text such as "&3 talk.wav — ~/podcasts": a mnemonic for the first ten entries, any
    "&" in the names kept literal."""
    mnemonic = f"&{number}" if number < 10 else "1&0" if number == 10 else str(number)
    return f"{mnemonic} {_literal(path.name)} — {_literal(short_folder(path.parent))}"


def short_folder(folder: Path) -> str:
    """The folder with the home folder as ~, shortened in the middle when long."""
    text = str(folder)
    home = str(Path.home())
    if text == home or text.startswith(home + os.sep):
        text = "~" + text[len(home) :]
    if len(text) <= FOLDER_CHARS:
        return text
    half = (FOLDER_CHARS - 1) // 2
    return f"{text[:half]}…{text[-half:]}"


def _literal(text: str) -> str:
    return text.replace("&", "&&")


class RecentFiles(QObject):
    """Keeps the settings' recent list and the Open Recent menu of one window."""

    def __init__(self, window: RecentWindow, menu: QMenu) -> None:
        super().__init__(menu)
        self.window = window
        self.menu = menu
        self._unsubscribe: Callable[[], None] | None = None
        menu.aboutToShow.connect(self.rebuild)
        window.timeline.document_changed.connect(self._document_changed)

    def files(self) -> tuple[Path, ...]:
        return tuple(Path(p) for p in load_settings().recent_files)

    def remember(self, path: Path) -> None:
        """Put `path` first in the list (unless it is the sample or an autosave)."""
        if listable(path):
            self._store(lambda s: with_recent(s, path))

    def forget(self, path: Path) -> None:
        gone = absolute(path)
        self._store(
            lambda s: replace(s, recent_files=tuple(p for p in s.recent_files if p != gone))
        )

    def clear(self) -> None:
        self._store(lambda s: replace(s, recent_files=()))
        self.window.show_status("Cleared the recent files")

    def rebuild(self) -> None:
        """The entries as the settings hold them now, missing files disabled. Runs as the
        menu opens and only then: rebuilding deletes the entries, and one may be mid-click."""
        self.menu.clear()
        files = self.files()
        for number, path in enumerate(files, start=1):
            action = self.menu.addAction(entry_text(number, path))
            action.setToolTip(str(path))
            action.setProperty("recent_path", str(path))
            action.setStatusTip(f"Open {path}")
            if not path.exists():
                action.setText(f"{action.text()} (missing)")
                action.setStatusTip(f"{path} is missing: moved, renamed or on a drive not mounted")
                action.setEnabled(False)
            action.triggered.connect(lambda _c=False, p=path: self.open(p))
        if not files:
            self.menu.addAction("No recent files").setEnabled(False)
        self.menu.addSeparator()
        clear = self.menu.addAction("&Clear list")
        clear.setObjectName("clear-recent")
        clear.setStatusTip("Forget every file in this list (the files stay where they are)")
        clear.setEnabled(bool(files))
        clear.triggered.connect(self.clear)
        self.menu.setToolTipsVisible(True)

    def open(self, path: Path) -> None:
        if not path.exists():
            self.forget(path)
            self.window.show_status(
                f"{path.name} is no longer at {path.parent}; removed it from the recent files"
            )
            return
        self.window.open_path(path)

    def entries(self) -> list[QAction]:
        """The file entries (not the separator, placeholder or Clear list)."""
        return [a for a in self.menu.actions() if a.property("recent_path")]

    def _document_changed(self, open_: bool) -> None:
        # Called once the window shows a loaded document: the file opened, so it is remembered.
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        project = self.window.project
        if not open_ or project is None:
            return
        self._unsubscribe = project.subscribe(
            lambda _state, reason, p=project: self._saved(p) if reason == SAVE else None
        )
        document = self.window.document
        if project.path is not None:
            self.remember(project.path)
        elif document is not None:
            self.remember(Path(document.source.info.path))

    def _saved(self, project: Project) -> None:
        if project.path is not None:
            self.remember(project.path)

    def _store(self, change: Callable[[AppSettings], AppSettings]) -> None:
        try:
            save_settings(change(load_settings()))
        except SettingsError as exc:
            self.window.show_status(f"Could not update the recent files: {exc}")


def install_recent_files(window: RecentWindow) -> RecentFiles:
    """Fill the window's Open Recent submenu (File menu) and keep the list as files open."""
    return RecentFiles(window, recent_menu(window))  # type: ignore[arg-type]
