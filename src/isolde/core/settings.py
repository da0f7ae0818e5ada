"""The user's preferences: one JSON file in the platform's config folder (platformdirs).

Plain data, no Qt: the settings dialog edits it, the window reads it at start and remembers
layout, recent files and the first-run guide in it. Keys are never here: they live in the OS
keyring or the environment (`providers.net.keys`), and `save_settings` refuses any text that
holds a key Isolde has seen (`core.redact`). A damaged or hand-edited file never stops the
editor: each value that is missing or of the wrong kind falls back to its default.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from isolde.core.atomic import atomic_write_text
from isolde.core.paths import user_dir
from isolde.core.redact import scrub

CONFIG_DIR_ENV = "ISOLDE_CONFIG_DIR"
FILE_NAME = "settings.json"
THEMES = ("dark", "light", "high-contrast")
RECENT_LIMIT = 10
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppSettings:
    default_engine: str = "local"  # provider id the prompt panel starts on
    output_folder: str = ""  # where exports go by default; "" = beside the source
    output_device: str = ""  # output device by name (indices change between runs); "" = default
    snap: bool = False  # snap marks to SAM Audio's 40 ms grid
    theme: str = "dark"  # one of THEMES
    confirm_cost_usd: float = 1.0  # a job over this estimated cost asks first
    confirm_audio_s: float = 600.0  # ... or over this much audio sent
    guide_dismissed: bool = False  # the first-run guide never returns once dismissed
    recent_files: tuple[str, ...] = field(default_factory=tuple)  # newest first
    window_geometry: str = ""  # base64 of QMainWindow.saveGeometry()
    window_state: str = ""  # base64 of QMainWindow.saveState() (docks, toolbars)


class SettingsError(OSError):
    """The settings file could not be written."""


def config_dir() -> Path:
    """Isolde's config folder; `$ISOLDE_CONFIG_DIR` overrides (tests point it at a temp dir)."""
    return user_dir(CONFIG_DIR_ENV, "config")


def settings_path() -> Path:
    return config_dir() / FILE_NAME


def _coerce(name: str, value: Any, default: Any) -> Any:
    """`value` as the field's kind, or `default` when it is not one."""
    if isinstance(default, bool):
        return value if isinstance(value, bool) else default
    if isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return float(value) if ok and value >= 0 and value == value else default
    if isinstance(default, str):
        if not isinstance(value, str):
            return default
        return value if name != "theme" or value in THEMES else default
    if isinstance(default, tuple):
        if not isinstance(value, list | tuple):
            return default
        return tuple(v for v in value if isinstance(v, str))[:RECENT_LIMIT]
    return default


def from_dict(data: dict[str, Any]) -> AppSettings:
    defaults = AppSettings()
    values = {
        f.name: _coerce(f.name, data[f.name], getattr(defaults, f.name))
        for f in fields(AppSettings)
        if f.name in data
    }
    return replace(defaults, **values)


def load_settings(path: Path | None = None) -> AppSettings:
    """The saved settings; defaults for anything missing, unreadable or malformed."""
    path = path or settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return AppSettings()
    except (OSError, ValueError) as exc:
        log.warning("settings file %s unreadable (%s); using defaults", path, type(exc).__name__)
        return AppSettings()
    return from_dict(data) if isinstance(data, dict) else AppSettings()


def save_settings(settings: AppSettings, path: Path | None = None) -> None:
    """Write atomically; raises SettingsError (never writes) if the text would hold a key."""
    path = path or settings_path()
    text = json.dumps(asdict(settings), indent=2, sort_keys=True) + "\n"
    if scrub(text) != text:
        raise SettingsError("refusing to write an API key into the settings file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)
    except OSError as exc:
        raise SettingsError(f"could not save settings to {path}: {exc.strerror or exc}") from None


def update_settings(path: Path | None = None, **changes: Any) -> AppSettings:
    """Load, change some values, save, and return the result."""
    settings = replace(load_settings(path), **changes)
    save_settings(settings, path)
    return settings


def with_recent(settings: AppSettings, file: str | os.PathLike[str]) -> AppSettings:
    """`file` moved to the front of the recent list (absolute, no duplicates, at most 10)."""
    full = os.path.normpath(os.path.abspath(os.fspath(file)))
    rest = tuple(p for p in settings.recent_files if p != full)
    return replace(settings, recent_files=(full, *rest)[:RECENT_LIMIT])
