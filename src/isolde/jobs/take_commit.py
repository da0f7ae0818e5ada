"""A take folder appears whole or not at all.

A take is written into a hidden staging folder beside its destination (`.NAME.isolde-new-…`),
every file flushed to disk, `take.json` last. Then it is renamed into place. When the
destination already holds a take, that take stays whole until the new one is complete: the old
folder is renamed aside (`.NAME.isolde-old-…`), the new one renamed in, and only then is the old
one removed; if the second rename fails, the old folder is put back. What the old folder held
besides its take (a job's `mask.json` and `mask.mp4`, a job store) is carried into the new one
first (hard links, copies where links are impossible), so nothing but the old take is dropped.

A run killed between the two renames leaves the old folder aside: `recover` (called before the
next run writes into the same destination) puts it back, and drops stale staging folders.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path

TAKE_FILE = "take.json"
ROLES = ("target", "residual", "inpainted")
NEW_MARK = ".isolde-new-"
OLD_MARK = ".isolde-old-"
WORK_PREFIX = ".isolde-work-"


def staging_folder(out_dir: Path) -> Path:
    """A new, empty hidden folder beside `out_dir` (same file system) for the next take."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}{NEW_MARK}", dir=out_dir.parent))


def _siblings(out_dir: Path, mark: str) -> list[Path]:
    prefix = f".{out_dir.name}{mark}"
    try:
        entries = list(out_dir.parent.iterdir())
    except OSError:
        return []
    return sorted(
        (p for p in entries if p.name.startswith(prefix)), key=lambda p: p.stat().st_mtime
    )


def recover(out_dir: Path) -> None:
    """Undo what a killed commit left: the old take put back if the new one never arrived; stale
    staging folders and old takes already replaced removed."""
    asides = _siblings(out_dir, OLD_MARK)
    if asides and not out_dir.exists():
        with contextlib.suppress(OSError):
            os.rename(asides.pop(), out_dir)
    for stale in asides + _siblings(out_dir, NEW_MARK):
        shutil.rmtree(stale, ignore_errors=True)


def take_files(folder: Path) -> set[str]:
    """The names of the take in `folder`: take.json, the files it names and role files."""
    names = {TAKE_FILE}
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AttributeError):
        doc = json.loads((folder / TAKE_FILE).read_text(encoding="utf-8"))
        names |= {Path(str(n)).name for n in doc["take"]["files"].values()}
    with contextlib.suppress(OSError):
        names |= {p.name for p in folder.iterdir() if p.is_file() and p.stem in ROLES}
    return names


def is_leftover(name: str) -> bool:
    """A work folder or temp file of an unfinished write (never anybody's finished file)."""
    if name.startswith(WORK_PREFIX) or name.startswith(".isolde-copy-"):
        return True
    return name.startswith(".") and (name.endswith(".tmp") or name.endswith(".part"))


def kept_entries(out_dir: Path) -> list[Path]:
    """What `out_dir` holds besides its take and leftovers: carried into a replacing take."""
    if not out_dir.is_dir():
        return []
    own = take_files(out_dir)
    return sorted(p for p in out_dir.iterdir() if p.name not in own and not is_leftover(p.name))


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _carry(entries: list[Path], staging: Path) -> None:
    for entry in entries:
        dest = staging / entry.name
        if dest.exists() or dest.is_symlink():
            continue  # the new take made its own
        if entry.is_symlink():
            os.symlink(os.readlink(entry), dest)
        elif entry.is_dir():
            shutil.copytree(entry, dest, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(entry), str(dest))


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def commit(staging: Path, out_dir: Path) -> None:
    """Move the complete take in `staging` to `out_dir`, replacing any take there as a whole.

    Raises OSError with `out_dir` as it was (the old take whole) and `staging` left for the
    caller to remove.
    """
    for f in staging.iterdir():
        if f.is_file():
            _fsync(f)
    _fsync(staging)
    if not out_dir.exists():
        os.rename(staging, out_dir)
        _fsync(out_dir.parent)
        return
    _carry(kept_entries(out_dir), staging)
    aside = out_dir.with_name(f".{out_dir.name}{OLD_MARK}{uuid.uuid4().hex[:8]}")
    os.rename(out_dir, aside)
    try:
        os.rename(staging, out_dir)
    except BaseException:
        os.rename(aside, out_dir)
        raise
    _fsync(out_dir.parent)
    shutil.rmtree(aside, ignore_errors=True)
