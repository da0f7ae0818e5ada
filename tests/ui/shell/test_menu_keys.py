"""Every action in a menu has a shortcut, or a reason in NO_SHORTCUT for having none."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from window_helpers import open_in_window, shown_window

from isolde.core.settings import update_settings
from isolde.resources import sample_path
from isolde.ui.shell.menu_keys import DYNAMIC_MENUS, NO_SHORTCUT, action_id, keyless, menu_actions


def test_every_menu_action_has_keys_or_a_reason(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = open_in_window(qtbot, sample_path(), (1280, 800))
    walked = list(menu_actions(window.menuBar()))
    assert len(walked) >= 60  # the whole menu bar, not an empty walk
    assert keyless(window.menuBar()) == []


def test_every_reason_belongs_to_an_action_in_the_menus(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    ids = {action_id(action) for _path, action in menu_actions(window.menuBar())}
    assert set(NO_SHORTCUT) <= ids, set(NO_SHORTCUT) - ids  # no stale reasons
    for action_key, why in NO_SHORTCUT.items():
        assert len(why) > 10, action_key


def test_a_new_keyless_action_is_caught(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    stray = QAction("&Stray command", view)
    view.addAction(stray)
    assert keyless(window.menuBar()) == ["View › Stray command [Stray command]"]
    stray.setShortcut("Ctrl+Alt+Shift+F12")
    assert keyless(window.menuBar()) == []


def test_entries_of_dynamic_submenus_count_as_keyless_by_their_menu(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    recent = tmp_path / "interview.wav"
    recent.write_bytes(b"")
    update_settings(recent_files=(str(recent),))
    window = shown_window(qtbot)
    menus = {
        m.title().replace("&", ""): m
        for m in window.menuBar().findChildren(QMenu) + window.findChildren(QMenu)
    }
    device = menus["Output device"]
    device.aboutToShow.emit()  # listed afresh on opening: the default at least
    assert device.actions()
    assert set(DYNAMIC_MENUS) <= set(menus)
    walked = {id(action) for _path, action in menu_actions(window.menuBar())}
    for title in DYNAMIC_MENUS:
        assert not any(id(a) in walked for a in menus[title].actions()), title
    assert keyless(window.menuBar()) == []
