"""The questions asked before a project is replaced or closed: save the changes?, where to save,
which file to open, where a project's missing recording went.

Each is a plain function taking the parent window, so the main window holds them as attributes
(`ask_unsaved`, `ask_save_path`, `ask_open_path`, `ask_locate_media`) that tests replace with an
answer instead of a modal dialog. The window, not these dialogs, adds `.isolde` to a name typed
without a suffix.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from isolde.core.media import MediaMissingError
from isolde.core.projectfile import SUFFIX

MEDIA_FILTER = (
    "Audio, video and projects (*.wav *.flac *.ogg *.opus *.mp3 *.aif *.aiff *.m4a *.aac "
    "*.mp4 *.mov *.mkv *.webm *.isolde *.autosave);;All files (*)"
)
PROJECT_FILTER = f"Isolde project (*{SUFFIX});;All files (*)"


class Answer(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_unsaved(parent: QWidget, name: str, doing: str) -> Answer:
    """Save / Discard / Cancel for the changes to `name` before `doing` (e.g. "quitting")."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Unsaved changes")
    box.setText(f"Save the changes to {name} before {doing}?")
    box.setInformativeText("If you don't save, the changes since the last save are lost.")
    save = box.addButton("&Save", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("&Discard changes", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(save)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is save:
        return Answer.SAVE
    if clicked is discard:
        return Answer.DISCARD
    return Answer.CANCEL


def ask_save_path(parent: QWidget) -> Path | None:
    """Where to save the project, as typed (None: the user cancelled)."""
    path, _ = QFileDialog.getSaveFileName(parent, "Save project", "", PROJECT_FILTER)
    return Path(path) if path else None


def ask_open_path(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open", "", MEDIA_FILTER)
    return Path(path) if path else None


def ask_locate_media(parent: QWidget, missing: MediaMissingError) -> Path | None:
    """Where the project's missing recording is now: a file (any name, the same content) or a
    folder to search. None: the user gave up."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Recording not found")
    box.setText(f"The project's recording {missing.expected_name} is missing.")
    box.setInformativeText(
        f"It was at {missing.expected_path}. Locate it (a copy under another name will do: it "
        "is recognised by its content), or search a folder."
    )
    file_button = box.addButton("&Locate file…", QMessageBox.ButtonRole.AcceptRole)
    folder_button = box.addButton("Search a &folder…", QMessageBox.ButtonRole.ActionRole)
    cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    box.setEscapeButton(cancel)
    box.exec()
    if box.clickedButton() is file_button:
        path, _ = QFileDialog.getOpenFileName(
            parent, f"Locate {missing.expected_name}", "", MEDIA_FILTER
        )
        return Path(path) if path else None
    if box.clickedButton() is folder_button:
        folder = QFileDialog.getExistingDirectory(parent, f"Search for {missing.expected_name}")
        return Path(folder) if folder else None
    return None


def with_project_suffix(path: Path) -> Path:
    """`name` typed without a suffix becomes `name.isolde`; a name with one is left as typed."""
    return path if path.suffix else path.with_name(path.name + SUFFIX)
