"""Files shipped with Isolde (the bundled sample): package data in `isolde/data/`.

They sit beside the modules wherever the package is: a checkout (`src/isolde/data`), a
`pip install` (`site-packages/isolde/data`), or a PyInstaller bundle, whose spec copies them to
`<bundle>/_internal/isolde/data` — the folder the frozen module's `__file__` points into.
"""

from __future__ import annotations

from pathlib import Path

SAMPLE_NAME = "sample.flac"


def resources_dir() -> Path:
    """The folder of the shipped files (nothing the user makes belongs there)."""
    return Path(__file__).resolve().parent / "data"


def sample_path() -> Path:
    return resources_dir() / SAMPLE_NAME
