"""After a crash: offer the autosaved work back — Restore, Discard, or Decide later (keep both).

`choose_what_to_open` runs before a file opens: when autosaves hold newer work for it (a project's
`X.isolde.autosave` or kept copies, or an untitled project made on that media file), the user is
asked about each, newest first, and the answer decides what is loaded: the autosave (opened with
`Project.recover`, so the restored project shows unsaved changes) or the file as it was saved.
Nothing is deleted unless the user chose Discard. `offer_untitled` does the same at start-up for
the autosaves of projects that were never saved.

`ask_restore` is the real question, a message box; the window holds it as an attribute so tests
can answer it without a modal dialog.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from isolde.core.errors import IsoldeError
from isolde.core.projectfile import looks_like_project
from isolde.core.recovery import (
    AUTOSAVE_SUFFIX,
    RecoveryInfo,
    describe_recovery,
    keep_aside,
    recoveries_for_media,
    recoveries_for_project,
    recovery_path_for,
    untitled_recoveries,
)
from isolde.ui.shell.unsaved import ask_choice


class RestoreChoice(Enum):
    RESTORE = "restore"
    DISCARD = "discard"
    LATER = "later"


AskRestore = Callable[[QWidget, RecoveryInfo], RestoreChoice]
Report = Callable[[str], None]


def offer_text(info: RecoveryInfo, now: float | None = None) -> str:
    """What the offer says: whose work, how much of it, and from when."""
    age = max(0.0, (time.time() if now is None else now) - info.autosaved_at)
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info.autosaved_at))
    ago = (
        f"{age:.0f} s"
        if age < 120
        else f"{age / 60:.0f} min"
        if age < 7200
        else (f"{age / 3600:.0f} h")
    )
    marks = f"{info.marks} mark{'s' * (info.marks != 1)}"
    takes = f"{info.takes} take{'s' * (info.takes != 1)}"
    media = f" ({info.media_name})" if info.project is not None and info.media_name else ""
    return (
        f"Isolde found unsaved work on {info.title}{media}, autosaved {when} ({ago} ago): "
        f"{marks}, {takes}. It was not saved — Isolde may have been closed abruptly."
    )


def ask_restore(parent: QWidget, info: RecoveryInfo) -> RestoreChoice:
    return ask_choice(
        parent,
        QMessageBox.Icon.Question,
        "Restore unsaved work?",
        offer_text(info),
        "Restore opens that work (save it to keep it). Discard deletes the autosave. "
        f"Decide later keeps it and opens the file as saved. Autosave: {info.path}",
        [
            ("&Restore", QMessageBox.ButtonRole.AcceptRole, RestoreChoice.RESTORE),
            ("&Discard", QMessageBox.ButtonRole.DestructiveRole, RestoreChoice.DISCARD),
            ("Decide &later", QMessageBox.ButtonRole.RejectRole, RestoreChoice.LATER),
        ],
    )


def choose_what_to_open(path: Path, ask: AskRestore, parent: QWidget, report: Report) -> Path:
    """The file to load for `path`: an autosave the user chose to restore, or `path` itself."""
    if path.name.endswith(AUTOSAVE_SUFFIX):
        return path  # opening an autosave by hand is a restore already
    project = looks_like_project(path)
    offers = recoveries_for_project(path) if project else recoveries_for_media(path)
    for recovery in offers:
        choice = _ask_about(recovery, ask, parent, report)
        if choice is RestoreChoice.RESTORE:
            return _take_over(recovery, path) if project else recovery
        if choice is RestoreChoice.DISCARD:
            with contextlib.suppress(FileNotFoundError):
                recovery.unlink()
        elif choice is RestoreChoice.LATER:
            break
    if project:
        # This session autosaves to X.isolde.autosave: keep an undecided one out of its way.
        regular = recovery_path_for(path)
        if regular in offers and regular.exists():
            keep_aside(regular)
    return path


def offer_untitled(ask: AskRestore, parent: QWidget, report: Report) -> Path | None:
    """At start-up with no file: the autosave of a never-saved project to restore, if any."""
    for recovery in untitled_recoveries():
        choice = _ask_about(recovery, ask, parent, report)
        if choice is RestoreChoice.RESTORE:
            return recovery
        if choice is RestoreChoice.DISCARD:
            with contextlib.suppress(FileNotFoundError):
                recovery.unlink()
        elif choice is RestoreChoice.LATER:
            return None
    return None


def _ask_about(
    recovery: Path, ask: AskRestore, parent: QWidget, report: Report
) -> RestoreChoice | None:
    try:
        info = describe_recovery(recovery)
    except IsoldeError as exc:  # left in place: the user may open it by hand or delete it
        report(f"An autosave could not be read and was not offered: {exc}")
        return None
    return ask(parent, info)


def _take_over(recovery: Path, project: Path) -> Path:
    """Restore a kept autosave of `project`: it becomes the project's own autosave again (any
    other one there is kept aside), so later autosaves and Save replace it as usual."""
    regular = recovery_path_for(project)
    if recovery == regular:
        return regular
    if regular.exists():
        keep_aside(regular)
    os.replace(recovery, regular)
    return regular
