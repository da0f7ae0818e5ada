"""The preferences file: defaults, round trip, damaged files, recent files, and no keys in it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from isolde.core.redact import Secret
from isolde.core.settings import (
    RECENT_LIMIT,
    AppSettings,
    SettingsError,
    load_settings,
    save_settings,
    settings_path,
    update_settings,
    with_recent,
)


def test_defaults_when_there_is_no_file() -> None:
    assert not settings_path().exists()
    assert load_settings() == AppSettings()


def test_round_trip_and_update(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    saved = AppSettings(theme="high-contrast", snap=True, confirm_cost_usd=2.5)
    save_settings(saved, path)
    assert load_settings(path) == saved
    assert update_settings(path, theme="light").theme == "light"
    assert load_settings(path).snap is True


def test_it_lives_in_the_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISOLDE_CONFIG_DIR", str(tmp_path / "cfg"))
    update_settings(theme="light")
    assert (tmp_path / "cfg" / "settings.json").is_file()


@pytest.mark.parametrize(
    "text",
    ["{not json", "[1, 2]", '{"theme": "neon", "snap": "yes", "confirm_cost_usd": -1}', ""],
)
def test_a_damaged_file_gives_defaults_value_by_value(tmp_path: Path, text: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text)
    assert load_settings(path) == AppSettings()


def test_good_values_survive_beside_bad_ones(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"theme": "light", "snap": 3, "recent_files": ["/a", 5, "/b"]}))
    loaded = load_settings(path)
    assert (loaded.theme, loaded.snap, loaded.recent_files) == ("light", False, ("/a", "/b"))


def test_recent_files_newest_first_without_duplicates(tmp_path: Path) -> None:
    s = AppSettings()
    for i in range(RECENT_LIMIT + 3):
        s = with_recent(s, tmp_path / f"{i}.wav")
    s = with_recent(s, tmp_path / "5.wav")
    assert s.recent_files[0] == str(tmp_path / "5.wav")
    assert len(s.recent_files) == RECENT_LIMIT
    assert len(set(s.recent_files)) == RECENT_LIMIT


def test_a_key_is_never_written(tmp_path: Path) -> None:
    key = Secret("sentinel-key-4242-abcd")
    path = tmp_path / "s.json"
    with pytest.raises(SettingsError):
        save_settings(AppSettings(output_folder=key.reveal()), path)
    assert not path.exists()
