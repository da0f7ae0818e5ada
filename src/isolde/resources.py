"""Files shipped with Isolde (the bundled sample)."""

from __future__ import annotations

from pathlib import Path

SAMPLE_NAME = "sample.flac"


def resources_dir() -> Path:
    # src layout: <repo>/src/isolde/resources.py → <repo>/resources
    return Path(__file__).resolve().parents[2] / "resources"


def sample_path() -> Path:
    return resources_dir() / SAMPLE_NAME
