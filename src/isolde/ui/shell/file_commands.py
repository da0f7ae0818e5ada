"""Opening, saving and closing for one main window, guarded so that no work is lost.

Before anything replaces or closes a project with unsaved changes, the window's `ask_unsaved`
question runs (Save / Discard / Cancel); before a file opens, autosaves holding newer work for
it are offered back (see recovery_offer.py). Save on a never-saved project asks where, and a
name typed without a suffix gets `.isolde`. The file dialogs start next to the file being worked
on or in the last folder used, and Save proposes the recording's name (see folders.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QWidget

from isolde.core.errors import IsoldeError
from isolde.core.project import Project
from isolde.resources import sample_path
from isolde.ui.common.folders import project_name_for, remember_folder, work_folder
from isolde.ui.shell.autosave import Autosaver
from isolde.ui.shell.document import LoadedDocument
from isolde.ui.shell.recovery_offer import AskRestore, choose_what_to_open, offer_untitled
from isolde.ui.shell.unsaved import Answer, with_project_suffix


class FileWindow(Protocol):
    """What FileCommands uses of the main window (which passes itself)."""

    project: Project | None
    document: LoadedDocument | None
    autosaver: Autosaver
    ask_unsaved: Callable[[QWidget, str, str], Answer]
    ask_save_path: Callable[[QWidget, Path], Path | None]
    ask_open_path: Callable[[QWidget, Path], Path | None]
    ask_restore: AskRestore

    def window(self) -> QWidget: ...  # QWidget's own: the parent of the questions asked

    def load(self, path: Path, locate: Path | None = None) -> None: ...

    def show_status(self, message: str) -> None: ...

    def show_error(self, message: str) -> None: ...


class FileCommands:
    def __init__(self, window: FileWindow) -> None:
        self.w = window
        self.closed = False  # the window's close was confirmed: later closes ask nothing
        self.on_sample_start: Callable[[], object] = lambda: None  # first_run.py: the guide

    def start(self, path: Path | None) -> None:
        """What the app does at launch: open `path`, or offer untitled autosaves, or the sample."""
        if path is not None:
            self.open(path)
            return
        recovery = offer_untitled(self.w.ask_restore, self.w.window(), self.w.show_status)
        if self.closed:  # a signal closed the window while the offer was up
            return
        if recovery is not None:
            self.open(recovery, offer_restore=False)
        else:
            self.open_sample(offer_restore=False)
            self.on_sample_start()

    def open(self, path: Path, *, offer_restore: bool = True) -> bool:
        """Open `path` (media, project or autosave) after the unsaved-changes question; False
        when the user cancelled, or the window has closed (a signal, while a question was up)."""
        if self.closed or not self.confirm_leaving(f"opening {path.name}"):
            return False
        remember_folder(path)  # the file the user chose, not an autosave restored in its place
        if offer_restore:
            parent = self.w.window()
            path = choose_what_to_open(path, self.w.ask_restore, parent, self.w.show_status)
            if self.closed:
                return False
        self.w.load(path)
        return True

    def open_sample(self, *, offer_restore: bool = True) -> None:
        path = sample_path()
        if not path.exists():
            self.w.show_error(f"The bundled sample is missing ({path}); open a file with Ctrl+O.")
            return
        self.open(path, offer_restore=offer_restore)

    def choose_file(self) -> None:
        path = self.w.ask_open_path(self.w.window(), work_folder(self._current_file()))
        if path is not None:
            self.open(path)

    def save(self, *, choose: bool = False) -> bool:
        """Save (asking where when `choose` or never saved); True once the project is on disk."""
        project = self.w.project
        if project is None:
            return False
        target = None
        if choose or project.path is None:
            proposed = project_name_for(project.path, self._media_path())
            typed = self.w.ask_save_path(self.w.window(), proposed)
            if typed is None:
                return False
            target = with_project_suffix(typed)
            remember_folder(target)
        self.w.autosaver.settle()
        try:
            saved = project.save(target)
        except IsoldeError as exc:
            self.w.show_error(str(exc))
            return False
        self.w.show_status(f"Saved {saved}")
        return True

    def confirm_leaving(self, doing: str) -> bool:
        """True when the open project may be replaced or closed: it is clean, or the user saved
        it, or chose to discard its changes (its autosave goes too)."""
        project = self.w.project
        if project is None or not project.dirty or self.closed:
            return True
        name = project.path.name if project.path is not None else self._untitled_name()
        answer = self.w.ask_unsaved(self.w.window(), name, doing)
        if answer is Answer.CANCEL:
            return False
        if answer is Answer.DISCARD:
            self.w.autosaver.discard()
            return True
        return self.save()

    def confirm_close(self) -> bool:
        if not self.confirm_leaving("quitting"):
            return False
        self.closed = True
        return True

    def close_keeping_autosave(self) -> None:
        """Let the window close without asking, its unsaved edits written to the autosave
        (offered at the next start): a quit nobody is at the window to answer for."""
        self.w.autosaver.flush()
        self.closed = True

    def _media_path(self) -> Path | None:
        document = self.w.document
        return Path(document.source.info.path) if document is not None else None

    def _current_file(self) -> Path | None:
        """The file being worked on: the project's, else its recording's."""
        project = self.w.project
        return project.path if project is not None and project.path else self._media_path()

    def _untitled_name(self) -> str:
        document = self.w.document
        if document is None:
            return "the untitled project"
        return f"the untitled project on {Path(document.source.info.path).name}"
