"""Opening, saving and closing for one main window, guarded so that no work is lost.

Before anything replaces or closes a project with unsaved changes, the window's `ask_unsaved`
question runs (Save / Discard / Cancel); before a file opens, autosaves holding newer work for
it are offered back (see recovery_offer.py). Save on a never-saved project asks where, and a
name typed without a suffix gets `.isolde`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from isolde.core.errors import IsoldeError
from isolde.resources import sample_path
from isolde.ui.shell.recovery_offer import choose_what_to_open, offer_untitled
from isolde.ui.shell.unsaved import Answer, with_project_suffix

if TYPE_CHECKING:
    from isolde.ui.shell.main_window import MainWindow


class FileCommands:
    def __init__(self, window: MainWindow) -> None:
        self.w = window
        self.closed = False  # the window's close was confirmed: later closes ask nothing

    def start(self, path: Path | None) -> None:
        """What the app does at launch: open `path`, or offer untitled autosaves, or the sample."""
        if path is not None:
            self.open(path)
            return
        recovery = offer_untitled(self.w.ask_restore, self.w, self.w.show_status)
        if recovery is not None:
            self.open(recovery, offer_restore=False)
        else:
            self.open_sample(offer_restore=False)

    def open(self, path: Path, *, offer_restore: bool = True) -> bool:
        """Open `path` (media, project or autosave) after the unsaved-changes question; False
        when the user cancelled."""
        if not self.confirm_leaving(f"opening {path.name}"):
            return False
        if offer_restore:
            path = choose_what_to_open(path, self.w.ask_restore, self.w, self.w.show_status)
        self.w.load(path)
        return True

    def open_sample(self, *, offer_restore: bool = True) -> None:
        path = sample_path()
        if not path.exists():
            self.w.show_error(f"The bundled sample is missing ({path}); open a file with Ctrl+O.")
            return
        self.open(path, offer_restore=offer_restore)

    def choose_file(self) -> None:
        path = self.w.ask_open_path(self.w)
        if path is not None:
            self.open(path)

    def save(self, *, choose: bool = False) -> bool:
        """Save (asking where when `choose` or never saved); True once the project is on disk."""
        project = self.w.project
        if project is None:
            return False
        target = None
        if choose or project.path is None:
            typed = self.w.ask_save_path(self.w)
            if typed is None:
                return False
            target = with_project_suffix(typed)
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
        answer = self.w.ask_unsaved(self.w, name, doing)
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

    def _untitled_name(self) -> str:
        document = self.w.document
        if document is None:
            return "the untitled project"
        return f"the untitled project on {Path(document.source.info.path).name}"
