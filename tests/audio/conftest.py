"""Every audio test decodes into its own cache folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def audio_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path_factory.mktemp("audio-cache")
    monkeypatch.setenv("ISOLDE_CACHE_DIR", str(folder))
    return folder
