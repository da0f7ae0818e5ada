"""Writing a project state to disk: the safety checks around `projectfile.dumps_state`, and
bringing the project's takes into its own folder as it is saved (`core.take_folders`)."""

from __future__ import annotations

from pathlib import Path

from isolde.core.atomic import atomic_write_bytes, atomic_write_text
from isolde.core.errors import ProjectFileError
from isolde.core.projectfile import CURRENT_VERSION, check_overwritable, dumps_state
from isolde.core.recovery import autosave_text
from isolde.core.state import ProjectState
from isolde.core.take_folders import TakeTransfer, gather_takes, takes_dir_for


def _write_state(state: ProjectState, target: Path, existing: int | None) -> None:
    """Write `state` to `target` atomically; paths inside are stored relative to its folder.
    `existing`: the format version of the file replaced (check_overwritable; None: nothing there
    or forced); a project of an older format is first copied to `<name>.v<N>.bak`."""
    if existing is not None and existing < CURRENT_VERSION:
        _keep_older_format(target, existing)
    text = dumps_state(state, target.parent)
    try:
        atomic_write_text(target, text)
    except OSError as e:
        raise ProjectFileError(
            target,
            f"could not save ({e.strerror or e}); the file on disk is unchanged — "
            "check that the folder exists and is writable, or save elsewhere",
        ) from None


def save_with_takes(
    state: ProjectState, target: Path, *, force: bool = False, movable: Path | None = None
) -> TakeTransfer:
    """Bring the takes of `state` into `target`'s takes folder, then save the state with their
    new paths. Take folders under `movable` (the untitled folder) are moved, others copied.
    Unless `force`, a file this version could not read back is left alone (ProjectFileError).

    Returns what moved: `transfer.remap(s)` gives any state (the undo history's too) its takes'
    new paths. If anything fails, the takes are put back and the file on disk is unchanged.
    """
    existing = None if force else check_overwritable(target)  # refuse before copying anything
    transfer = gather_takes(state, takes_dir_for(target), movable=movable)
    try:
        _write_state(transfer.remap(state), target, existing)
    except BaseException:
        transfer.undo()
        raise
    transfer.finish()
    return transfer


def write_autosave(state: ProjectState, target: Path, project_path: Path | None) -> None:
    """Write a recovery file; it records which project it belongs to (None: never saved)."""
    text = autosave_text(state, project_path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(target, text)
    except OSError as e:
        raise ProjectFileError(target, f"could not autosave ({e.strerror or e})") from None


def _keep_older_format(target: Path, version: int) -> None:
    # Upgrading is one-way: keep what an older Isolde can still open, once per format.
    backup = target.with_name(f"{target.name}.v{version}.bak")
    if backup.exists():
        return
    try:
        atomic_write_bytes(backup, target.read_bytes())
    except OSError as e:
        raise ProjectFileError(
            target,
            f"not saved: could not keep a copy of the format-{version} file as "
            f"{backup.name} ({e.strerror or e})",
        ) from None
