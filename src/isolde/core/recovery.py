"""Where autosaves go, whether one holds work newer than its project, and what one holds.

A saved project `X.isolde` autosaves to `X.isolde.autosave` beside it (relative paths inside stay
valid); an untitled one to `<data dir>/recovery/untitled-<session>.isolde.autosave`. Saving
removes the autosave, so one that still exists holds work that never reached the project file.

When the user puts off deciding about `X.isolde.autosave` and opens X anyway, that file is moved
aside to `X.isolde.kept-<time>.autosave` (`keep_aside`), so the new session's autosaves cannot
overwrite it; kept files are offered again every time X is opened, until the user decides.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from isolde.core.paths import absolute, recovery_dir
from isolde.core.projectfile import dumps_state, read_project_file
from isolde.core.state import ProjectState

AUTOSAVE_SUFFIX = ".autosave"
KEPT_INFIX = ".kept-"
_UNTITLED_PREFIX = "untitled-"
_UNTITLED_SUFFIX = f".isolde{AUTOSAVE_SUFFIX}"


def recovery_path_for(project_path: str | Path) -> Path:
    path = Path(project_path)
    return path.with_name(path.name + AUTOSAVE_SUFFIX)


def untitled_recovery_path(session: str) -> Path:
    return recovery_dir() / f"{_UNTITLED_PREFIX}{session}{_UNTITLED_SUFFIX}"


def untitled_session(recovery: str | Path) -> str | None:
    """The session an untitled autosave was named after (`untitled_recovery_path`), or None."""
    name = Path(recovery).name
    if name.startswith(_UNTITLED_PREFIX) and name.endswith(_UNTITLED_SUFFIX):
        return name[len(_UNTITLED_PREFIX) : -len(_UNTITLED_SUFFIX)]
    return None


def newer_recovery(project_path: str | Path) -> Path | None:
    """The project's autosave if it is at least as new as the project file (or that is gone)."""
    recovery = recovery_path_for(project_path)
    try:
        recovered_at = recovery.stat().st_mtime_ns
    except OSError:
        return None
    try:
        saved_at = Path(project_path).stat().st_mtime_ns
    except OSError:
        return recovery
    # `>=`: coarse file-system clocks can give a save and the next autosave one timestamp, and
    # a leftover autosave is by construction newer than the last successful save.
    return recovery if recovered_at >= saved_at else None


def untitled_recoveries() -> list[Path]:
    """Autosaves of projects that were never saved, newest first (for restore after a crash)."""
    folder = recovery_dir()
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob(f"{_UNTITLED_PREFIX}*{_UNTITLED_SUFFIX}") if p.is_file()]
    return sorted(found, key=_mtime, reverse=True)


def kept_recoveries(project_path: str | Path) -> list[Path]:
    """Autosaves of `project_path` the user chose to decide about later, newest first."""
    path = Path(project_path)
    found = [
        p
        for p in path.parent.glob(f"{_glob_escape(path.name)}{KEPT_INFIX}*{AUTOSAVE_SUFFIX}")
        if p.is_file()
    ]
    return sorted(found, key=_mtime, reverse=True)


def recoveries_for_project(project_path: str | Path) -> list[Path]:
    """Every autosave that may hold work missing from the project file, newest first."""
    found = kept_recoveries(project_path)
    newer = newer_recovery(project_path)
    if newer is not None:
        found.append(newer)
    return sorted(found, key=_mtime, reverse=True)


def recoveries_for_media(media_path: str | Path) -> list[Path]:
    """Autosaves of never-saved projects made on `media_path`, newest first."""
    wanted = _same_file_key(media_path)
    matching = []
    for recovery in untitled_recoveries():
        with contextlib.suppress(Exception):  # a damaged leftover is simply not offered here
            media = read_project_file(recovery).state.media
            if media is not None and _same_file_key(media.path) == wanted:
                matching.append(recovery)
    return matching


def keep_aside(recovery: Path) -> Path:
    """Move a project's own autosave out of the way of new autosaves; returns its new name."""
    if KEPT_INFIX in recovery.name or recovery.name.startswith("untitled-"):
        return recovery  # already out of the way: new sessions never write to it
    stem = recovery.name[: -len(AUTOSAVE_SUFFIX)]
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(_mtime(recovery) / 1e9))
    target = recovery.with_name(f"{stem}{KEPT_INFIX}{stamp}{AUTOSAVE_SUFFIX}")
    n = 1
    while target.exists():
        n += 1
        target = recovery.with_name(f"{stem}{KEPT_INFIX}{stamp}-{n}{AUTOSAVE_SUFFIX}")
    os.replace(recovery, target)
    return target


def autosave_text(state: ProjectState, project_path: Path | None) -> str:
    """What a recovery file holds: the state, plus which project it belongs to (None: untitled).
    Cheap for any real project, so the GUI thread can make it and leave the writing to a worker."""
    base = None if project_path is None else project_path.parent
    extra = {"autosave_of": None if project_path is None else str(project_path)}
    return dumps_state(state, base, extra=extra)


@dataclass(frozen=True)
class RecoveryInfo:
    """What an autosave holds, in the words a restore offer uses."""

    path: Path
    project: Path | None  # the project it belongs to; None: never saved
    media_name: str | None
    marks: int  # spans and inpaint regions
    takes: int
    autosaved_at: float  # seconds since the epoch (the file's modification time)

    @property
    def title(self) -> str:
        if self.project is not None:
            return self.project.name
        return f"untitled project on {self.media_name}" if self.media_name else "untitled project"


def describe_recovery(path: Path) -> RecoveryInfo:
    """Read an autosave for a restore offer; raises ProjectFileError if it cannot be read."""
    found = read_project_file(path)
    state = found.state
    return RecoveryInfo(
        path=path,
        project=None if found.autosave_of is None else Path(found.autosave_of),
        media_name=None if state.media is None else Path(state.media.path).name,
        marks=len(state.spans) + len(state.regions),
        takes=len(state.takes),
        autosaved_at=_mtime(path) / 1e9,
    )


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _same_file_key(path: str | Path) -> str:
    # Media paths are stored resolved (symlinks followed); compare both spellings alike.
    return absolute(Path(absolute(path)).resolve())


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)
