"""The `.isolde` file: versioned JSON, written atomically, read with checks and migrations.

Layout (version 3):

    {"format": "isolde-project", "version": 3, "saved_at": "...Z", "app_version": "0.1.0",
     "media": {...} | null, "spans": [...], "regions": [...], "prompt": "...",
     "provider": "local", "options": {...}, "takes": [...], "active_take": "id" | null,
     "edits": [...], "masks": [...], "mask_invert": false}

Version 2 added "edits" (takes applied to the timeline); version 3 added the video masks (see
core/masks.py), one object each:

    {"id": "...", "name": "dog", "color": "#ff8c00", "refine": false, "send": true,
     "keyframes": [{"frame": 12, "origin": "drawn" (default) | "assist", "shapes": [
         {"kind": "rect" | "ellipse" | "polygon" | "stroke", "points": [[x, y], ...],
          "size": 12.0 (stroke), "erase": true (when erasing)},
         {"kind": "bitmap", "box": [x, y, w, h], "rle": "off on off ..."}]}],
     "track": [[frame, x, y, w, h, anchor_frame], ...]}

Recovery files add `"autosave_of": "/abs/path.isolde" | null`. Unknown top-level keys are
ignored. A file that cannot be read raises ProjectFileError and is never written to by the
reader; `check_overwritable` lets a save refuse to replace a file it could not read back.

Version 4 added the layers (core/layers.py), the root first, one object each:

    {"id": "...", "name": "Voice", "colour": "#rrggbb" | "", "gain_db": 0.0, "mute": false,
     "solo": false, "parent": "id" | null, "parts": [{"take": "id", "role": "target"}],
     "split_by": "take id" | null}

Older files are upgraded in memory by `MIGRATIONS`: `MIGRATIONS[n]` turns a version-n document
into a version-n+1 one. Format changes bump CURRENT_VERSION and add one entry here.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from isolde import __version__
from isolde.core.atomic import atomic_write_text
from isolde.core.errors import ProjectFileError
from isolde.core.frozen import thaw
from isolde.core.paths import absolute
from isolde.core.projectdecode import decode_state, describe
from isolde.core.state import ProjectState
from isolde.core.takes import utc_now_iso

__all__ = [
    "CURRENT_VERSION",
    "FORMAT_NAME",
    "MIGRATIONS",
    "ProjectFile",
    "ProjectReadError",
    "atomic_write_text",
    "check_overwritable",
    "dumps_state",
    "loads_state",
    "looks_like_project",
    "parse_project",
    "read_project_file",
    "strip_secrets",
]

FORMAT_NAME = "isolde-project"
CURRENT_VERSION = 4
SUFFIX = ".isolde"


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 2 added applied edits (takes written into the timeline); v1 had none. The bump
    keeps an older Isolde from opening, and silently dropping, a project's edits."""
    return {**doc, "version": 2, "edits": []}


def _v2_to_v3(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 3 added video masks; v2 had none. The bump keeps an older Isolde from opening,
    and silently dropping, a project's painted masks."""
    return {**doc, "version": 3, "masks": [], "mask_invert": False}


def _v3_to_v4(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 4 added layers; a v3 project was never split. The bump keeps an older Isolde
    from opening, and silently dropping, a project's layers."""
    return {**doc, "version": 4, "layers": []}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
}

# Far beyond any real project: refuse to slurp a multi-gigabyte file picked by mistake.
MAX_BYTES = 256 * 1024 * 1024
# How much of a file `looks_like_project` reads: the header comes first in every saved file.
HEAD_BYTES = 64 * 1024
_HEADER = re.compile(r'"format"\s*:\s*"' + FORMAT_NAME + '"')
# Option names that may hold credentials; keys belong in the keyring, never in a project file.
SECRET_SUFFIXES = ("key", "token", "secret", "password")
DAMAGED = "the file is damaged or was edited by hand; open a backup or its .autosave file"
FOREIGN = "pick a .isolde file saved by Isolde"


class ProjectReadError(ProjectFileError):
    """A project file that cannot be read: `problem` says what is wrong, `hint` what to do."""

    def __init__(self, path: str | Path, problem: str, hint: str) -> None:
        self.problem = problem
        self.hint = hint
        super().__init__(path, f"{problem} — {hint}")


@dataclass(frozen=True)
class ProjectFile:
    """A project file as read: the state plus what the header said."""

    state: ProjectState
    version: int  # the version on disk, before any migration
    saved_at: str | None = None
    app_version: str | None = None
    autosave_of: str | None = None


# -- writing ------------------------------------------------------------------------------------


def strip_secrets(value: Any) -> Any:
    """A copy without mapping entries whose names look like credentials, at any depth."""
    if isinstance(value, Mapping):
        return {
            k: strip_secrets(v)
            for k, v in value.items()
            if not str(k).lower().endswith(SECRET_SUFFIXES)
        }
    if isinstance(value, list | tuple):
        return [strip_secrets(v) for v in value]
    return value


def dumps_state(
    state: ProjectState, project_dir: Path | None, *, extra: Mapping[str, Any] | None = None
) -> str:
    """The file text. Paths are stored relative to `project_dir` (absolute when it is None)."""
    base = None if project_dir is None else Path(absolute(project_dir))
    takes = []
    for take in state.takes:
        data = take.to_json(base)
        data["request"] = strip_secrets(data["request"])
        takes.append(data)
    doc: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": CURRENT_VERSION,
        "saved_at": utc_now_iso(),
        "app_version": __version__,
        "media": None if state.media is None else state.media.to_json(base),
        "spans": [s.to_json() for s in state.spans],
        "regions": [r.to_json() for r in state.regions],
        "prompt": state.prompt,
        "provider": state.provider,
        "options": strip_secrets(thaw(state.options)),
        "takes": takes,
        "active_take": state.active_take,
        "edits": [e.to_json() for e in state.edits],
        "masks": [m.to_json() for m in state.masks],
        "mask_invert": state.mask_invert,
        "layers": [lay.to_json() for lay in state.layers],
    }
    doc.update(extra or {})
    # allow_nan=False: NaN is not JSON; states are checked, so this only guards against bugs.
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def check_overwritable(path: str | Path) -> int | None:
    """The format version of the project at `path` (None if nothing is there).

    Raises ProjectFileError when the file holds something this version could not read back
    (a newer format, another kind of file, a damaged project): saving over it would lose data.
    """
    target = Path(path)
    if not target.exists():
        return None
    try:
        return read_project_file(target).version
    except ProjectReadError as e:
        raise ProjectFileError(
            target,
            f"{e.problem}, so saving over it could lose data — choose another name, "
            "or force the save to replace it",
        ) from None


# -- reading ------------------------------------------------------------------------------------


def read_project_file(path: str | Path) -> ProjectFile:
    target = Path(path)
    return parse_project(_read_text(target), target)


def loads_state(text: str, path: str | Path) -> ProjectState:
    return parse_project(text, path).state


def parse_project(text: str, path: str | Path) -> ProjectFile:
    """Check, migrate and decode; `path` names the file in errors and anchors relative paths."""
    where = Path(path)
    doc = _parse_json(text, where)
    version = _check_header(doc, where)
    doc = _migrate(doc, version, where)

    def fail(problem: str) -> NoReturn:
        raise ProjectReadError(where, problem, DAMAGED)

    state = decode_state(doc, Path(absolute(where)).parent, fail)
    header = {
        k: doc.get(k) if isinstance(doc.get(k), str) else None
        for k in ("saved_at", "app_version", "autosave_of")
    }
    return ProjectFile(state=state, version=version, **header)


def looks_like_project(path: str | Path) -> bool:
    """Whether `path` should be opened as a project rather than as media: a `.isolde` name, or
    (whatever the name) a text file whose first bytes hold the header `"format": "isolde-project"`.
    Reads at most HEAD_BYTES, so asking about a large recording is cheap."""
    target = Path(path)
    if target.suffix.lower() == SUFFIX:
        return True
    try:
        with target.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError:
        return False
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    return text.startswith("{") and _HEADER.search(text) is not None


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ProjectReadError(path, "far too large to be an Isolde project", FOREIGN)
        data = path.read_bytes()
    except FileNotFoundError:
        raise ProjectReadError(path, "no such file", "check the name and folder") from None
    except IsADirectoryError:
        raise ProjectReadError(path, "this is a folder, not a project file", FOREIGN) from None
    except OSError as e:
        raise ProjectReadError(
            path, f"cannot be read ({e.strerror or e})", "check that you may read it"
        ) from None
    try:
        return data.decode("utf-8-sig")  # -sig: tolerate a BOM added by a Windows text editor
    except UnicodeDecodeError:
        raise ProjectReadError(path, "not a text file, so not an Isolde project", FOREIGN) from None


def _parse_json(text: str, path: Path) -> Any:
    if not text.strip():
        raise ProjectReadError(path, "the file is empty", DAMAGED)

    def no_constants(name: str) -> NoReturn:
        raise ValueError(f"{name} is not a number JSON allows")

    try:
        return json.loads(text, parse_constant=no_constants)
    except json.JSONDecodeError as e:
        problem = f"not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})"
        raise ProjectReadError(path, problem, DAMAGED) from None
    except (ValueError, RecursionError) as e:
        raise ProjectReadError(path, f"not valid JSON ({e})", DAMAGED) from None


def _check_header(doc: Any, path: Path) -> int:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        found = "" if isinstance(doc, dict) else f" (the file holds {describe(doc)})"
        problem = f'not an Isolde project: no "format": "{FORMAT_NAME}"{found}'
        raise ProjectReadError(path, problem, FOREIGN)
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        problem = f"version must be a whole number, got {describe(version)}"
        raise ProjectReadError(path, problem, DAMAGED)
    if version > CURRENT_VERSION:
        problem = (
            f"written by a newer Isolde (format {version}; this version reads up to "
            f"{CURRENT_VERSION})"
        )
        raise ProjectReadError(path, problem, "update Isolde to open it")
    oldest = _oldest_readable()
    if version < oldest:
        problem = (
            f"format {version} is older than this version of Isolde can read (it reads "
            f"formats {oldest} to {CURRENT_VERSION})"
        )
        raise ProjectReadError(path, problem, "open and save it in an older Isolde first")
    return version


def _oldest_readable() -> int:
    # Walk the chain down from the current version: only an unbroken chain is readable.
    version = CURRENT_VERSION
    while version - 1 in MIGRATIONS:
        version -= 1
    return version


def _migrate(doc: dict[str, Any], version: int, path: Path) -> dict[str, Any]:
    while version < CURRENT_VERSION:
        step = MIGRATIONS[version]
        try:
            # A copy: a migration may edit its input freely, and a failure leaves nothing half-done.
            doc = step(copy.deepcopy(doc))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
            problem = (
                f"cannot upgrade from format {version} to {version + 1} ({type(e).__name__}: {e})"
            )
            raise ProjectReadError(path, problem, DAMAGED) from None
        if not isinstance(doc, dict):
            raise TypeError(f"MIGRATIONS[{version}] returned {type(doc).__name__}, not a dict")
        version += 1
        doc["version"] = version
    return doc
