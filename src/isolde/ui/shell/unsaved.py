"""The questions asked before a project is replaced or closed: save the changes?, where to save,
which file to open, where a project's missing recording went.

Each is a plain function taking the parent window, so the main window holds them as attributes
(`ask_unsaved`, `ask_save_path`, `ask_open_path`, `ask_locate_media`) that tests replace with an
answer instead of a modal dialog. The window, not these dialogs, adds `.isolde` to a name typed
without a suffix, and decides where the file dialogs start (see folders.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import TypeVar

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from isolde.core.media import MediaMissingError
from isolde.core.projectfile import SUFFIX
from isolde.ui.common.folders import work_folder

MEDIA_FILTER = (
    "Audio, video and projects (*.wav *.flac *.ogg *.opus *.mp3 *.aif *.aiff *.m4a *.aac "
    "*.mp4 *.mov *.mkv *.webm *.isolde *.autosave);;All files (*)"
)
PROJECT_FILTER = f"Isolde project (*{SUFFIX});;All files (*)"

T = TypeVar("T")


class Answer(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_choice(
    parent: QWidget,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    informative: str,
    buttons: Sequence[tuple[str, QMessageBox.ButtonRole, T]],
    *,
    default: bool = True,
) -> T:
    """A message box with `buttons` (label, role, answer); returns the answer of the one clicked.
    The last button is the escape (its answer also stands for no click); with `default`, the
    first one is the default button."""
    box = QMessageBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(informative)
    added = [(box.addButton(label, role), answer) for label, role, answer in buttons]
    if default:
        box.setDefaultButton(added[0][0])
    box.setEscapeButton(added[-1][0])
    box.exec()
    clicked = box.clickedButton()
    return next((answer for button, answer in added if button is clicked), added[-1][1])


def ask_unsaved(parent: QWidget, name: str, doing: str) -> Answer:
    """Save / Discard / Cancel for the changes to `name` before `doing` (e.g. "quitting")."""
    return ask_choice(
        parent,
        QMessageBox.Icon.Warning,
        "Unsaved changes",
        f"Save the changes to {name} before {doing}?",
        "If you don't save, the changes since the last save are lost.",
        [
            ("&Save", QMessageBox.ButtonRole.AcceptRole, Answer.SAVE),
            ("&Discard changes", QMessageBox.ButtonRole.DestructiveRole, Answer.DISCARD),
            ("Cancel", QMessageBox.ButtonRole.RejectRole, Answer.CANCEL),
        ],
    )


def ask_save_path(parent: QWidget, proposed: Path) -> Path | None:
    """Where to save the project, as typed, starting from the `proposed` file (None: the user
    cancelled)."""
    path, _ = QFileDialog.getSaveFileName(parent, "Save project", str(proposed), PROJECT_FILTER)
    return Path(path) if path else None


def ask_open_path(parent: QWidget, folder: Path) -> Path | None:
    """The file to open, the dialog starting in `folder` (None: the user cancelled)."""
    path, _ = QFileDialog.getOpenFileName(parent, "Open", str(folder), MEDIA_FILTER)
    return Path(path) if path else None


def ask_locate_media(parent: QWidget, missing: MediaMissingError) -> Path | None:
    """Where the project's missing recording is now: a file (any name, the same content) or a
    folder to search. None: the user gave up."""
    choice = ask_choice(
        parent,
        QMessageBox.Icon.Question,
        "Recording not found",
        f"The project's recording {missing.expected_name} is missing.",
        f"It was at {missing.expected_path}. Locate it (a copy under another name will do: it "
        "is recognised by its content), or search a folder.",
        [
            ("&Locate file…", QMessageBox.ButtonRole.AcceptRole, "file"),
            ("Search a &folder…", QMessageBox.ButtonRole.ActionRole, "folder"),
            ("Cancel", QMessageBox.ButtonRole.RejectRole, None),
        ],
        default=False,
    )
    start = str(work_folder(Path(missing.expected_path)))  # where it was, if that folder is left
    if choice == "file":
        path, _ = QFileDialog.getOpenFileName(
            parent, f"Locate {missing.expected_name}", start, MEDIA_FILTER
        )
        return Path(path) if path else None
    if choice == "folder":
        folder = QFileDialog.getExistingDirectory(
            parent, f"Search for {missing.expected_name}", start
        )
        return Path(folder) if folder else None
    return None


def with_project_suffix(path: Path) -> Path:
    """`name` typed without a suffix becomes `name.isolde`; a name with one is left as typed."""
    return path if path.suffix else path.with_name(path.name + SUFFIX)
