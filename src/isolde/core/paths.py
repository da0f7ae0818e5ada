"""Where things live: paths stored relative to a project folder, and Isolde's own data folder."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "ISOLDE_DATA_DIR"


def absolute(path: str | os.PathLike[str]) -> str:
    """Absolute, normalised, symlinks left alone (the user chose that name, not its target)."""
    return os.path.normpath(os.path.abspath(os.fspath(path)))


def to_stored(path: str, base: Path | None, *, inside_only: bool = False) -> str:
    """The form written to a project file: relative to `base` (POSIX separators) when possible.

    `inside_only` keeps paths outside `base` absolute (take files), so that moving the project
    folder does not silently point at a sibling folder's files.
    """
    full = absolute(path)
    if base is None:
        return full
    try:
        rel = os.path.relpath(full, absolute(base))
    except ValueError:  # another drive on Windows: no relative form exists
        return full
    if inside_only and (rel == os.pardir or rel.startswith(os.pardir + os.sep)):
        return full
    return Path(rel).as_posix()


def from_stored(stored: str, base: Path | None) -> str:
    """Inverse of `to_stored`: absolute in memory."""
    # Forward slashes are valid separators on Windows too, so the stored form joins as is.
    if base is None or os.path.isabs(stored):
        return absolute(stored)
    return absolute(Path(base) / stored)


def user_dir(env: str, kind: str) -> Path:
    """One of Isolde's per-user folders: `$env` when set (tests point them at temporary
    folders), else the platform's own (`platformdirs.user_<kind>_dir`: data, config, log)."""
    override = os.environ.get(env)
    if override:
        return Path(override).expanduser()
    import platformdirs  # imported late: only needed when nothing overrides it

    return Path(getattr(platformdirs, f"user_{kind}_dir")("isolde", appauthor=False))


def data_dir() -> Path:
    """Isolde's per-user data folder (recovery files, job store); `$ISOLDE_DATA_DIR` overrides."""
    return user_dir(DATA_DIR_ENV, "data")


def recovery_dir() -> Path:
    return data_dir() / "recovery"
