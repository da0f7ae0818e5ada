"""Help → Keyboard shortcuts: a read-only, grouped, searchable reference built from the menus."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMenu
from window_helpers import shown_window

from isolde.ui.shell.button_keys import PANEL_KEYS
from isolde.ui.shell.editor_actions import COMMANDS, command_text, native_text
from isolde.ui.shell.main_window import MainWindow
from isolde.ui.shell.shortcuts_dialog import ShortcutsDialog
from isolde.ui.timeline.gestures import TIMELINE_GESTURES
from isolde.ui.video.gestures import VIDEO_GESTURES

pytest.importorskip("pytestqt")


def _reference(qtbot, window: MainWindow) -> ShortcutsDialog:  # type: ignore[no-untyped-def]
    window.actions_by_key["shortcuts"].trigger()  # Help → Keyboard shortcuts
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def _menu_actions(menu: QMenu) -> list[QAction]:
    found: list[QAction] = []
    for action in menu.actions():
        sub = action.menu()
        if isinstance(sub, QMenu):
            found += _menu_actions(sub)
        elif not action.isSeparator():
            found.append(action)
    return found


def _menus(window: MainWindow) -> dict[str, list[QAction]]:
    return {
        command_text(a.menu().title()): _menu_actions(a.menu())
        for a in window.menuBar().actions()
        if isinstance(a.menu(), QMenu)
    }


def test_every_menu_action_with_keys_is_listed_under_its_menu_with_them(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    rows = _reference(qtbot, window).visible_rows()
    by_group_and_keys = {(group, keys): command for group, command, keys in rows}
    checked = 0
    for title, actions in _menus(window).items():
        for action in actions:
            if action.shortcuts():
                keys = " or ".join(native_text(s) for s in action.shortcuts())
                assert (title, keys) in by_group_and_keys, (title, action.text(), keys)
                checked += 1
    assert checked >= 45  # the editor's commands, not an empty walk


def test_undo_redo_open_save_quit_are_there_with_the_platform_keys(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    rows = {(g, c): keys for g, c, keys in _reference(qtbot, window).visible_rows()}
    standard = QKeySequence.StandardKey
    for group, command, key, fallback in (
        ("File", "Open…", standard.Open, None),
        ("File", "Save project", standard.Save, None),
        ("File", "Save project as…", standard.SaveAs, "Ctrl+Shift+S"),
        ("File", "Quit", standard.Quit, "Ctrl+Q"),  # some platforms bind no Quit key
        ("Edit", "Undo", standard.Undo, None),
        ("Edit", "Redo", standard.Redo, None),
    ):
        primary = native_text(QKeySequence(key)) or fallback
        assert primary, command
        assert primary in rows[(group, command)].split(" or "), (command, rows[(group, command)])
    assert rows[("File", "Open sample")] == "Ctrl+Shift+O"
    assert rows[("View", "Video panel")] == ""  # listed although it has no key
    assert rows[("Marks", "Delete mark")] == "Del or Backspace"


def test_every_editor_command_is_in_a_menu_and_no_key_does_two_things(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    in_menus = [a for actions in _menus(window).values() for a in actions]
    for command in COMMANDS:
        assert window.actions_by_key[command.key] in in_menus, command.key
    owners: dict[str, str] = {}
    for action in in_menus:
        for sequence in action.shortcuts():
            keys = sequence.toString()
            assert keys not in owners, f"{keys}: {owners.get(keys)} and {action.text()}"
            owners[keys] = action.text()


def test_file_and_edit_commands_come_from_the_command_table(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    for key, action in (
        ("open", window.open_action),
        ("open_sample", window.sample_action),
        ("save", window.save_action),
        ("save_as", window.save_as_action),
        ("quit", window.quit_action),
        ("undo", window.undo_action),
        ("redo", window.redo_action),
    ):
        assert action is window.actions_by_key[key]
        assert action.objectName() == key
        assert action.statusTip() and action.toolTip()
    assert "Ctrl+S" in window.save_action.toolTip()


def test_the_filter_narrows_to_commands_keys_or_gestures(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    dialog = _reference(qtbot, window)
    everything = dialog.visible_rows()
    qtbot.keyClicks(dialog.filter, "undo")
    assert [(g, c) for g, c, _ in dialog.visible_rows()] == [("Edit", "Undo")]
    dialog.filter.clear()
    qtbot.keyClicks(dialog.filter, "ctrl+t")
    rows = dialog.visible_rows()
    assert ("Marks", "Set exact times…", "Ctrl+T") in rows
    assert all("ctrl+t" in f"{g} {c} {k}".lower() for g, c, k in rows)
    dialog.filter.clear()
    qtbot.keyClicks(dialog.filter, "shift wheel")  # every word must match
    assert [g for g, _, _ in dialog.visible_rows()] == ["Mouse — timeline"]
    dialog.filter.clear()
    qtbot.keyClicks(dialog.filter, "no such command")
    assert dialog.visible_rows() == []
    assert dialog.empty.isVisible()
    dialog.filter.clear()
    assert dialog.visible_rows() == everything
    assert not dialog.empty.isVisible()


def test_the_mouse_gestures_are_listed_in_their_own_groups(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    rows = _reference(qtbot, window).visible_rows()
    timeline = [(k, c) for g, c, k in rows if g == "Mouse — timeline"]
    video = [(k, c) for g, c, k in rows if g == "Mouse — video"]
    assert timeline == list(TIMELINE_GESTURES)
    assert video == list(VIDEO_GESTURES)
    assert ("Double-click a mark", "Set its exact times") in timeline


def test_the_panels_keys_are_listed(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    dialog = _reference(qtbot, window)
    panels = [(k, c) for g, c, k in dialog.visible_rows() if g == "Keyboard — panels"]
    assert panels == list(PANEL_KEYS)
    qtbot.keyClicks(dialog.filter, "press button")
    assert dialog.visible_rows() == [
        ("Keyboard — panels", "Press the button Tab reached", "Space, Return")
    ]


def test_cells_cannot_be_edited(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    dialog = _reference(qtbot, window)
    tree = dialog.tree
    assert tree.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    head = tree.topLevelItem(0)
    item = head.child(0)
    for it in (head, item):
        assert not it.flags() & Qt.ItemFlag.ItemIsEditable
    before = item.text(1)
    rect = tree.visualItemRect(item)
    rect.setLeft(tree.header().sectionPosition(1))
    QTest.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    tree.setCurrentItem(item, 1)
    QTest.keyClick(tree, Qt.Key.Key_F2)
    assert tree.state() != QAbstractItemView.State.EditingState
    assert item.text(1) == before


def test_f1_opens_one_reference_and_it_follows_the_menus(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    window.activateWindow()  # shortcuts reach the active window only
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    QTest.keyClick(window, Qt.Key.Key_F1)
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None and dialog.isVisible()
    assert not dialog.isModal()  # it can stay open beside the editor
    dialog.close()
    window.actions_by_key["zoom_fit"].setShortcuts([QKeySequence("Ctrl+Shift+F")])
    window.actions_by_key["shortcuts"].trigger()
    assert window.findChildren(ShortcutsDialog) == [dialog]
    assert ("View", "Zoom to fit", "Ctrl+Shift+F") in dialog.visible_rows()
