"""A project's takes live in its own folder: `NAME-takes/` beside `NAME.isolde`.

A project file stores take paths relative to its folder, so the file and its `-takes` folder can
be moved or sent together. Saving keeps that true: the first Save of an untitled project, a Save As
to another place, or a Save after a job finished into another folder brings every take whose
files lie outside the project's takes folder into it (`gather_takes`).

Each take folder is brought in whole or not at all: its files are copied into a hidden staging
folder inside the takes folder, then renamed into place. Takes made while the project was untitled
(in the data folder, which nobody else shares) are moved rather than copied. If the save then
fails, `TakeTransfer.undo` takes back out what was brought in; once it holds, `finish` removes the
untitled originals. A take whose files are gone is left as it is (the project still saves).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from isolde.core.errors import ProjectFileError
from isolde.core.paths import absolute, data_dir
from isolde.core.state import ProjectState
from isolde.core.takes import Take

TAKES_SUFFIX = "-takes"
TAKE_FILE = "take.json"  # what a job writes beside a take's files
STAGING_PREFIX = ".isolde-copy-"


def takes_dir_for(project_path: str | os.PathLike[str]) -> Path:
    """`X-takes/` beside `X.isolde`."""
    path = Path(absolute(project_path))
    return path.with_name(f"{path.stem}{TAKES_SUFFIX}")


def untitled_takes_dir(session: str) -> Path:
    """Where the takes of a never-saved project go, in the data folder."""
    return data_dir() / "takes" / f"untitled-{session}"


def is_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    try:
        rel = os.path.relpath(absolute(path), absolute(folder))
    except ValueError:  # another drive on Windows
        return False
    return rel != os.curdir and rel != os.pardir and not rel.startswith(os.pardir + os.sep)


@dataclass(frozen=True)
class _Placed:
    source: Path | None  # the take folder the files came from (None: loose files)
    dest: Path  # the take folder now inside the takes folder
    moved: bool  # renamed there (undo renames it back) rather than copied
    vacate: bool  # copied out of the untitled folder: remove the original once the save holds


class TakeTransfer:
    """What `gather_takes` did: old → new file paths, and how to undo or finish it."""

    def __init__(self) -> None:
        self.paths: dict[str, str] = {}
        self._placed: list[_Placed] = []
        self._made_dir: Path | None = None  # the takes folder, if made for this transfer

    def __bool__(self) -> bool:
        return bool(self.paths)

    def remap_take(self, take: Take) -> Take:
        if not any(p in self.paths for p in take.files.values()):
            return take
        return replace(take, files={r: self.paths.get(p, p) for r, p in take.files.items()})

    def remap(self, state: ProjectState) -> ProjectState:
        """`state` with the files of the takes brought in at their new place (the same object
        when none of its takes moved, so states shared in the undo history stay shared)."""
        takes = tuple(self.remap_take(t) for t in state.takes)
        if all(new is old for new, old in zip(takes, state.takes, strict=True)):
            return state
        return replace(state, takes=takes)

    def undo(self) -> None:
        """Put things back as they were before `gather_takes` (the save failed)."""
        for placed in reversed(self._placed):
            if placed.moved and placed.source is not None:
                with contextlib.suppress(OSError):
                    os.rename(placed.dest, placed.source)
            else:
                shutil.rmtree(placed.dest, ignore_errors=True)
        if self._made_dir is not None:
            with contextlib.suppress(OSError):
                self._made_dir.rmdir()
        self._placed.clear()
        self.paths.clear()

    def finish(self) -> None:
        """The save holds: remove untitled originals that were copied rather than moved."""
        for placed in self._placed:
            if placed.vacate and placed.source is not None:
                shutil.rmtree(placed.source, ignore_errors=True)
        self._placed.clear()


def gather_takes(state: ProjectState, takes_dir: Path, *, movable: Path | None) -> TakeTransfer:
    """Bring every take of `state` whose files lie outside `takes_dir` into it.

    Take folders under `movable` (the project's untitled folder) are moved; others are copied.
    Raises ProjectFileError, with nothing left changed, if a take cannot be brought in.
    """
    transfer = TakeTransfer()
    units = _units(state.takes, takes_dir)
    if not units or not takes_dir.parent.is_dir():
        return transfer  # nothing to bring, or no folder to save in (the save says so)
    try:
        if not takes_dir.is_dir():
            takes_dir.mkdir()
            transfer._made_dir = takes_dir
        _clear_staging(takes_dir)
        for unit in units:
            _bring_in(transfer, unit, takes_dir, movable)
    except OSError as e:
        transfer.undo()
        raise ProjectFileError(
            takes_dir,
            f"not saved: could not bring the takes into the project's takes folder "
            f"({e.strerror or e}) — check that {takes_dir.parent} is writable and has room "
            "for them, or save somewhere else",
        ) from None
    except BaseException:
        transfer.undo()
        raise
    return transfer


@dataclass
class _Unit:
    """One folder to bring in: a take folder (moved as one, with its take.json and mask video),
    or, for a take whose files are loose, those files gathered into a new folder."""

    name: str
    files: list[str]
    folder: Path | None = None  # the take folder; None for loose files


def _units(takes: tuple[Take, ...], takes_dir: Path) -> list[_Unit]:
    folders: dict[Path, _Unit] = {}
    units: list[_Unit] = []
    for take in takes:
        paths = list(take.files.values())
        if not paths or all(is_inside(p, takes_dir) for p in paths):
            continue
        if not all(os.path.isfile(p) for p in paths):
            continue  # gone: nothing to bring; the project keeps pointing where it was
        parents = {Path(p).parent for p in paths}
        folder = parents.pop()
        if parents or not (folder / TAKE_FILE).is_file():
            units.append(_Unit(take.id, paths))
        elif folder in folders:
            folders[folder].files.extend(paths)  # two takes in one folder travel together
        else:
            folders[folder] = _Unit(folder.name, paths, folder)
            units.append(folders[folder])
    return units


def _bring_in(transfer: TakeTransfer, unit: _Unit, takes_dir: Path, movable: Path | None) -> None:
    dest = _free_name(takes_dir, unit.name)
    folder = unit.folder
    can_move = folder is not None and movable is not None and is_inside(folder, movable)
    if folder is not None and can_move:
        try:
            os.rename(folder, dest)
        except OSError:
            pass  # another file system: copy instead
        else:
            transfer._placed.append(_Placed(folder, dest, moved=True, vacate=False))
            transfer.paths.update({p: str(dest / Path(p).name) for p in unit.files})
            return
    staging = takes_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        if folder is None:
            names = _copy_loose(unit.files, staging)
        else:
            names = {p: Path(p).name for p in unit.files}
            for entry in folder.iterdir():
                if entry.is_file() and not entry.name.startswith("."):
                    shutil.copy2(entry, staging / entry.name)
        _fsync_files(staging)
        os.rename(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    transfer._placed.append(_Placed(folder, dest, moved=False, vacate=can_move))
    transfer.paths.update({p: str(dest / name) for p, name in names.items()})


def _copy_loose(paths: list[str], staging: Path) -> dict[str, str]:
    names: dict[str, str] = {}
    for path in paths:
        name = Path(path).name
        stem, n = Path(name).stem, 2
        while (staging / name).exists():
            name = f"{stem}-{n}{Path(path).suffix}"
            n += 1
        shutil.copy2(path, staging / name)
        names[path] = name
    return names


def _free_name(folder: Path, wanted: str) -> Path:
    dest, n = folder / wanted, 2
    while dest.exists():
        dest = folder / f"{wanted}-{n}"
        n += 1
    return dest


def _clear_staging(takes_dir: Path) -> None:
    # What a save killed mid-copy left behind: never renamed into place, so never referenced.
    for stale in takes_dir.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)


def _fsync_files(folder: Path) -> None:
    # The rename that publishes the folder must not reach the disk before the files' contents.
    for entry in folder.iterdir():
        try:
            fd = os.open(entry, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)
