"""Suite-wide isolation: caches, app data and sound config go to temporary folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Property tests check results, not speed: a loaded machine must not fail them on time alone.
settings.register_profile("isolde", deadline=None)
settings.load_profile("isolde")


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path_factory.mktemp("isolde-env")
    monkeypatch.setenv("ISOLDE_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("ISOLDE_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("ISOLDE_CONFIG_DIR", str(base / "settings"))
    monkeypatch.setenv("ISOLDE_LOG_DIR", str(base / "logs"))
    config = base / "config"
    (config / "alsa").mkdir(parents=True)
    # The real PortAudio callback path runs against ALSA's null device in tests.
    (config / "alsa" / "asoundrc").write_text(
        "pcm.!default { type null }\nctl.!default { type hw card 0 }\n"
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]
