"""File → Open Recent: files join once they opened or a project was saved, newest first, at most
ten; the sample and autosaves never; missing files are disabled or dropped with a message; Clear
list empties it. The list lives in the settings file (a temporary one per test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu
from timeline_helpers import write_tone_wav
from window_helpers import open_in_window, shown_window

from isolde.core.paths import recovery_dir
from isolde.core.settings import load_settings, update_settings
from isolde.resources import sample_path
from isolde.ui.shell.main_window import MainWindow
from isolde.ui.shell.recent_files import entry_text, listable, short_folder

pytest.importorskip("pytestqt")

SIZE = (1000, 640)


def _recent() -> list[Path]:
    return [Path(p) for p in load_settings().recent_files]


def _opened(qtbot, window: MainWindow, path: Path) -> None:  # type: ignore[no-untyped-def]
    assert window.open_path(path)
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)


def _menu(window: MainWindow) -> QMenu:
    """The Open Recent submenu as the user finds it: in the File menu, just after Open sample."""
    file_menu = window.menuBar().actions()[0].menu()
    entries = file_menu.actions()
    index = entries.index(window.sample_action)
    menu = entries[index + 1].menu()
    assert menu is window.recent.menu and menu.title() == "Open &Recent"
    menu.aboutToShow.emit()  # what opening it does: the entries are built as it opens
    return menu


def _texts(window: MainWindow) -> list[str]:
    return [a.text() for a in _menu(window).actions() if not a.isSeparator()]


def test_opened_files_are_listed_newest_first(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = write_tone_wav(tmp_path / "first.wav", 0.5, channels=1)
    second = write_tone_wav(tmp_path / "second & more.wav", 0.5, channels=1)
    window = shown_window(qtbot, SIZE)
    assert _texts(window) == ["No recent files", "&Clear list"]
    _opened(qtbot, window, first)
    _opened(qtbot, window, second)
    _opened(qtbot, window, first)
    assert _recent() == [first, second]
    texts = _texts(window)
    folder = short_folder(tmp_path)
    assert texts[0] == f"&1 first.wav — {folder}"
    assert texts[1] == f"&2 second && more.wav — {folder}"  # "&" shown, not a mnemonic
    assert texts[2:] == ["&Clear list"]
    assert [a.toolTip() for a in window.recent.entries()] == [str(first), str(second)]


def test_choosing_an_entry_opens_it(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = write_tone_wav(tmp_path / "first.wav", 0.5, channels=1)
    second = write_tone_wav(tmp_path / "second.wav", 0.5, channels=1)
    update_settings(recent_files=(str(second), str(first)))
    window = open_in_window(qtbot, first, SIZE)
    _menu(window)
    entry = next(a for a in window.recent.entries() if a.toolTip() == str(second))
    entry.trigger()
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert Path(window.document.source.info.path) == second
    assert _recent() == [second, first]


def test_a_file_that_fails_to_open_is_not_listed(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not really a wave file")
    window = shown_window(qtbot, SIZE)
    _opened(qtbot, window, broken)
    assert window.last_error is not None and window.document is None
    assert _recent() == []


def test_the_sample_and_autosaves_are_never_listed(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot, SIZE)
    window.open_sample()
    qtbot.waitUntil(lambda: window.document is not None, timeout=20_000)
    assert _recent() == []
    assert not listable(sample_path())
    assert not listable(tmp_path / "talk.isolde.autosave")
    assert not listable(tmp_path / "talk.isolde.kept-20260101-120000.autosave")
    assert not listable(recovery_dir() / "untitled-abc.isolde")
    assert listable(tmp_path / "talk.isolde") and listable(tmp_path / "talk.wav")


def test_saving_a_project_lists_it_first(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    media = write_tone_wav(tmp_path / "talk.wav", 0.5, channels=1)
    target = tmp_path / "talk.isolde"
    window = open_in_window(qtbot, media, SIZE)
    window.project.add_span(0.1, 0.2, include=False)
    window.ask_save_path = lambda *_: target
    assert window.files.save()
    assert _recent() == [target, media]
    # Opening the project again keeps one entry for it, still first.
    _opened(qtbot, window, target)
    assert window.project.path == target and _recent() == [target, media]


def test_a_missing_file_is_disabled_and_one_gone_since_is_dropped(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    here = write_tone_wav(tmp_path / "here.wav", 0.5, channels=1)
    soon_gone = write_tone_wav(tmp_path / "soon gone.wav", 0.5, channels=1)
    missing = tmp_path / "missing.wav"
    update_settings(recent_files=(str(here), str(soon_gone), str(missing)))
    window = shown_window(qtbot, SIZE)
    _menu(window)
    enabled = {a.toolTip(): a.isEnabled() for a in window.recent.entries()}
    assert enabled == {str(here): True, str(soon_gone): True, str(missing): False}
    assert _texts(window)[2].endswith("(missing)")
    soon_gone.unlink()  # after the menu was built, before the entry is chosen
    next(a for a in window.recent.entries() if a.toolTip() == str(soon_gone)).trigger()
    assert window.document is None and not window.loading
    assert _recent() == [here, missing]
    assert "soon gone.wav is no longer at" in window.statusBar().currentMessage()


def test_clear_list_empties_it(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    media = write_tone_wav(tmp_path / "talk.wav", 0.5, channels=1)
    update_settings(recent_files=(str(media),))
    window = shown_window(qtbot, SIZE)
    menu = _menu(window)
    clear = next(a for a in menu.actions() if a.objectName() == "clear-recent")
    assert clear.isEnabled()
    clear.trigger()
    assert _recent() == []
    assert _texts(window) == ["No recent files", "&Clear list"]
    assert not next(a for a in menu.actions() if a.objectName() == "clear-recent").isEnabled()


def test_at_most_ten_with_mnemonics(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot, SIZE)
    names = [tmp_path / f"take {n}.wav" for n in range(12)]
    for path in names:
        window.recent.remember(path)
    assert _recent() == names[::-1][:10]
    _menu(window)
    assert len(window.recent.entries()) == 10
    assert entry_text(1, names[0]).startswith("&1 ")
    assert entry_text(10, names[0]).startswith("1&0 ")


def test_long_folders_are_shortened_in_the_middle() -> None:
    folder = Path("/srv") / ("x" * 80) / "podcasts"
    text = short_folder(folder)
    assert len(text) <= 48 and text.startswith("/srv/xx") and text.endswith("x/podcasts")
    assert short_folder(Path.home() / "audio") == str(Path("~") / "audio")
