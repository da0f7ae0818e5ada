"""Where autosaves go, and whether one holds work newer than its project.

A saved project `X.isolde` autosaves to `X.isolde.autosave` beside it (relative paths inside stay
valid); an untitled one to `<data dir>/recovery/untitled-<session>.isolde.autosave`. Saving
removes the autosave, so one that still exists holds work that never reached the project file.
"""

from __future__ import annotations

from pathlib import Path

from isolde.core.paths import recovery_dir

AUTOSAVE_SUFFIX = ".autosave"


def recovery_path_for(project_path: str | Path) -> Path:
    path = Path(project_path)
    return path.with_name(path.name + AUTOSAVE_SUFFIX)


def untitled_recovery_path(session: str) -> Path:
    return recovery_dir() / f"untitled-{session}.isolde{AUTOSAVE_SUFFIX}"


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
    found = [p for p in folder.glob(f"untitled-*.isolde{AUTOSAVE_SUFFIX}") if p.is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime_ns, reverse=True)
