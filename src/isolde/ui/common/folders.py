"""Where file dialogs start: next to the file being worked on, else the last folder the user
chose, else their Documents folder — never inside Isolde's own `isolde/data/`, where the bundled
sample lives (a project or export saved there would be lost with the next install).

The last folder is kept in a QSettings file in Isolde's data folder (`$ISOLDE_DATA_DIR`), so
tests, which point that at a temporary folder, never touch the user's settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from isolde.core.paths import data_dir
from isolde.core.projectfile import SUFFIX
from isolde.core.settings import load_settings
from isolde.resources import resources_dir

LAST_FOLDER_KEY = "folders/last"


def _settings() -> QSettings:
    return QSettings(str(data_dir() / "settings.ini"), QSettings.Format.IniFormat)


def _inside(path: Path, folder: Path) -> bool:
    full, folder = Path(path).expanduser().resolve(), folder.resolve()
    return full == folder or folder in full.parents


def is_bundled(path: Path) -> bool:
    """True for files shipped with Isolde (the sample): nothing the user makes belongs there."""
    return _inside(path, resources_dir())


def _users(folder: Path) -> bool:
    """Isolde's own folders (the sample's, the autosaves') are not where the user works."""
    return not is_bundled(folder) and not _inside(folder, data_dir())


def last_folder() -> Path | None:
    value = _settings().value(LAST_FOLDER_KEY)
    folder = Path(str(value)) if value else None
    return folder if folder is not None and folder.is_dir() and _users(folder) else None


def remember_folder(path: Path) -> None:
    """Remember the folder of `path` (a file, or a folder itself) as the last one used."""
    path = Path(path).expanduser()
    folder = path if path.is_dir() else path.parent
    if folder.is_dir() and _users(folder):
        settings = _settings()
        settings.setValue(LAST_FOLDER_KEY, str(folder.resolve()))
        settings.sync()


def home_folder() -> Path:
    """The user's Documents folder when it exists, else their home."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def work_folder(near: Path | None) -> Path:
    """The folder to offer for a file about `near` (the recording or project being worked on)."""
    if near is not None:
        folder = Path(near).expanduser().parent
        if folder.is_dir() and _users(folder):
            return folder
    return last_folder() or home_folder()


def export_folder(near: Path | None) -> Path:
    """Where an export is proposed: the output folder chosen in Settings when it is set and
    still there, else the folder of the work (`work_folder`)."""
    chosen = load_settings().output_folder
    if chosen and Path(chosen).expanduser().is_dir():
        return Path(chosen).expanduser()
    return work_folder(near)


def project_name_for(project_path: Path | None, media: Path | None) -> Path:
    """What Save proposes: the project's own file, else the recording's stem + `.isolde` in the
    folder the work belongs in."""
    if project_path is not None and not is_bundled(project_path):
        return project_path
    stem = Path(media).stem if media is not None else "untitled"
    return work_folder(media) / f"{stem}{SUFFIX}"
