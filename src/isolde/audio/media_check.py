"""Is a project's source still the recording it was made with? Check it; find it by content.

A project records its media's content hash (`content_hash`: files under 8 MiB whole, larger ones
sampled, so at most a few MiB are read however long the recording). `ensure_media` is what the
editor and the CLI call before opening a project's media:

- the file is where the project says, with the same content: its path;
- the file there holds other content (replaced, re-exported, edited): MediaChangedError;
- no file there: it is looked for by content in its own folder and the project's folder (same
  name first, then renamed files of the same type, also in a sub-folder named like the one it
  was in); found, the project is relinked (an undoable edit) — otherwise MediaMissingError, and
  the editor asks the user to locate it: `ensure_media(project, located=file_or_folder)`.

A hash from an older scheme cannot be checked: such media is trusted by name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from isolde.audio.content_hash import content_hash, is_content_hash
from isolde.core.errors import InputError, IsoldeError
from isolde.core.media import MediaChangedError, MediaMissingError, MediaRef
from isolde.core.paths import absolute
from isolde.core.project import Project

MAX_CANDIDATES = 64  # files hashed per search at most: a few MiB each


def check_media(media: MediaRef) -> Path:
    """The media's path if it holds the recorded content; MediaMissingError / ChangedError."""
    path = Path(media.path)
    if not path.is_file():
        raise MediaMissingError(media)
    if is_content_hash(media.content_hash):
        found = content_hash(path)
        if found != media.content_hash:
            raise MediaChangedError(media, path, found)
    return path


def find_media(media: MediaRef, folders: Iterable[str | os.PathLike[str]]) -> Path | None:
    """A file with the media's content in one of `folders` (see the module notes), or None."""
    verifiable = is_content_hash(media.content_hash)
    for candidate in _candidates(media, folders, renamed=verifiable):
        if not verifiable:
            return candidate  # by name only
        try:
            if content_hash(candidate) == media.content_hash:
                return candidate
        except IsoldeError:
            continue  # unreadable: not the one
    return None


def ensure_media(project: Project, located: str | os.PathLike[str] | None = None) -> Path:
    """The path of the project's media, checked against its content hash.

    Missing media is searched for beside the project and relinked when found. `located` is
    where the user says it is: a file (which must have the recorded content) or a folder to
    search. Raises MediaMissingError (offer "Locate…"), MediaChangedError (refuse), or
    InputError when the project has no media at all.
    """
    media = project.state.media
    if media is None:
        where = f"{project.path}: " if project.path else ""
        raise InputError(f"{where}the project has no media; open a recording in it first")
    if located is not None:
        return _relink_to(project, media, Path(located))
    try:
        return check_media(media)
    except MediaMissingError:
        pass
    folders = [Path(media.path).parent]
    if project.path is not None:
        folders.append(project.path.parent)
    folders = [f for i, f in enumerate(folders) if f.is_dir() and f not in folders[:i]]
    found = find_media(media, folders)
    if found is None:
        raise MediaMissingError(media, tuple(folders), project.path)
    return _relink_to(project, media, found)


def _relink_to(project: Project, media: MediaRef, located: Path) -> Path:
    if located.is_dir():
        found = find_media(media, [located])
        if found is None:
            raise MediaMissingError(media, (located,), project.path)
    elif located.is_file():
        found = located
    else:
        raise InputError(f"{located}: no such file or folder — choose where {media.name} is")
    digest = content_hash(found) if is_content_hash(media.content_hash) else media.content_hash
    if digest != media.content_hash:
        raise MediaChangedError(media, found, digest)
    if absolute(found) != media.path:
        project.relink(found, digest)
    return Path(absolute(found))


def _candidates(
    media: MediaRef, folders: Iterable[str | os.PathLike[str]], *, renamed: bool
) -> list[Path]:
    name, suffix = media.name, Path(media.name).suffix.lower()
    was_in = Path(media.path).parent.name
    roots: list[Path] = []
    for folder in folders:
        root = Path(folder).absolute()
        roots += [root, root / was_in] if was_in else [root]
    found: list[Path] = [r / name for r in roots]
    if renamed:
        for root in roots:
            try:
                entries = sorted(root.iterdir())
            except OSError:
                continue
            found += [e for e in entries if e.suffix.lower() == suffix]
    unique: list[Path] = []
    for path in found:
        if path not in unique and path.is_file():
            unique.append(path)
    return unique[:MAX_CANDIDATES]
