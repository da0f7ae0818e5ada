"""Keys on a control Tab reached: Space and Return press a panel's button, Space toggles a check
box and opens a list box, instead of the window's play / pause; after a mouse click on the same
control Space still plays. Keys go through Qt's shortcut map, as a user's do."""

from __future__ import annotations

import pytest
from job_helpers import wait_state
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QLineEdit,
    QPushButton,
    QWidget,
)

from isolde.ui.shell.accessibility import prompt_chain
from isolde.ui.shell.button_keys import inside_window
from isolde.ui.shell.main_window import MainWindow


def _plays(window: MainWindow) -> list[bool]:
    """Each time the window's Play / pause command runs."""
    pressed: list[bool] = []
    window.actions_by_key["play_pause"].triggered.connect(lambda *_: pressed.append(True))
    return pressed


def _reachable(window: MainWindow) -> list[QWidget]:
    """The prompt panel's controls that Tab stops at, in order."""
    chain = prompt_chain(window.jobs.prompt_panel)
    return [w for w in chain if w.isEnabled() and w.isVisibleTo(window)]


def _tab_to(qtbot, window: MainWindow, control: QWidget) -> None:  # type: ignore[no-untyped-def]
    """Give the focus to the control before `control` in the prompt panel, then press Tab."""
    chain = _reachable(window)
    before = chain[chain.index(control) - 1]
    window.activateWindow()
    before.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: before.hasFocus() or before.isAncestorOf(QApplication.focusWidget()))
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is control


def _close_popup() -> None:
    popup = QApplication.activePopupWidget()
    if popup is not None:
        popup.close()


def _ready(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    held = QApplication.mouseButtons()
    if held != Qt.MouseButton.NoButton:  # QTest's double click leaves its button down
        QTest.mouseRelease(window, held)
    window.project.add_span(0.0, 1.0, include=False)
    window.edit_state.set_in(0.0)  # "Only the in/out range" can be ticked
    window.edit_state.set_out(1.5)
    panel = window.jobs.prompt_panel
    qtbot.waitUntil(lambda: panel.separate_button.isEnabled() and panel.only_selection.isEnabled())
    QApplication.processEvents()  # the options form takes its place in the Tab order


def test_space_and_return_press_the_button_tab_reached(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    _ready(qtbot, job_window)
    plays = _plays(job_window)
    separate = job_window.jobs.prompt_panel.separate_button
    _tab_to(qtbot, job_window, separate)
    QTest.keyClick(separate, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: job_window.jobs.jobs_panel.model.rowCount() == 1)
    assert plays == []
    first = job_window.jobs.session.records()[0].id
    wait_state(qtbot, job_window, first, "done")
    QTest.keyClick(separate, Qt.Key.Key_Return)  # a push button outside a dialog ignored it
    qtbot.waitUntil(lambda: job_window.jobs.jobs_panel.model.rowCount() == 2)
    assert plays == []


def test_a_check_box_and_a_list_box_tab_reached_take_space(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    _ready(qtbot, job_window)
    plays = _plays(job_window)
    panel = job_window.jobs.prompt_panel
    _tab_to(qtbot, job_window, panel.only_selection)
    ticked = panel.only_selection.isChecked()
    QTest.keyClick(panel.only_selection, Qt.Key.Key_Space)
    assert panel.only_selection.isChecked() is not ticked
    QTest.keyClick(panel.only_selection, Qt.Key.Key_Return)  # a check box has no Return
    assert panel.only_selection.isChecked() is not ticked
    panel.prompt.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(panel.prompt, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is panel.engine
    QTest.keyClick(panel.engine, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: panel.engine.view().isVisible())
    panel.engine.hidePopup()
    assert plays == []


def test_after_a_mouse_click_space_still_plays(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    _ready(qtbot, job_window)
    plays = _plays(job_window)
    box = job_window.jobs.prompt_panel.only_selection
    job_window.activateWindow()
    ticked = box.isChecked()
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)
    assert box.hasFocus() and box.isChecked() is not ticked
    QTest.keyClick(box, Qt.Key.Key_Space)
    assert plays == [True]  # play / pause, and the box is left as the click set it
    assert box.isChecked() is not ticked
    QTest.keyClick(box, Qt.Key.Key_Space)  # pause again: nothing keeps playing
    _tab_to(qtbot, job_window, box)  # the same box, now reached with Tab
    QTest.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked() is ticked
    assert plays == [True, True]


def test_a_floating_panel_counts_and_a_dialog_keeps_its_own_keys(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    _ready(qtbot, job_window)
    plays = _plays(job_window)
    panel = job_window.jobs.prompt_panel
    dock = next(d for d in job_window.findChildren(QDockWidget) if d.isAncestorOf(panel))
    dock.setFloating(True)
    qtbot.waitUntil(lambda: dock.isFloating() and dock.isVisible())
    box = panel.only_selection
    ticked = box.isChecked()
    dock.activateWindow()
    box.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(box.hasFocus)
    QTest.keyClick(box, Qt.Key.Key_Space)  # the window's shortcuts reach a floating panel too
    assert box.isChecked() is not ticked
    assert plays == []
    dialog = QDialog(job_window)
    assert not inside_window(QPushButton("OK", dialog), job_window)  # Return: the default button
    assert inside_window(box, job_window)


def test_the_focus_passed_on_by_a_control_disabled_leaves_space_to_play(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    _ready(qtbot, job_window)
    plays = _plays(job_window)
    panel = job_window.jobs.prompt_panel
    job_window.activateWindow()
    QTest.mouseClick(panel.prompt, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.prompt.hasFocus)
    panel.prompt.setEnabled(False)  # as Cancel is once its job has stopped: the focus moves on
    assert QApplication.focusWidget() is panel.examples  # the next control, a button
    QTimer.singleShot(1000, _close_popup)  # a regression opens the examples menu: not a hang
    QTest.keyClick(panel.examples, Qt.Key.Key_Space)
    assert plays == [True]
    assert not panel.examples.isDown() and QApplication.activePopupWidget() is None


def test_back_from_a_dialog_a_button_keeps_how_it_got_the_focus(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    _ready(qtbot, job_window)
    plays = _plays(job_window)
    box = job_window.jobs.prompt_panel.only_selection
    job_window.activateWindow()
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)
    ticked = box.isChecked()
    dialog = QDialog(job_window)
    field = QLineEdit(dialog)
    dialog.show()
    dialog.activateWindow()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    dialog.close()
    job_window.activateWindow()
    qtbot.waitUntil(box.hasFocus)
    QTest.keyClick(box, Qt.Key.Key_Space)  # clicked before the dialog: Space still plays
    assert plays == [True] and box.isChecked() is ticked


def test_a_list_box_tab_reached_takes_letters_home_and_end(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    _ready(qtbot, job_window)
    plays = _plays(job_window)
    method = _option(job_window, "Method")
    spectrogram = job_window.actions_by_key["spectrogram"]
    shown = spectrogram.isChecked()
    job_window.seek(5.0)
    _tab_to(qtbot, job_window, method)
    items = [method.itemText(i) for i in range(method.count())]
    QTest.keyClick(method, Qt.Key.Key_End)
    assert method.currentText() == items[-1]
    QTest.keyClick(method, Qt.Key.Key_S)  # the first item that starts with s
    assert method.currentText() == next(t for t in items if t.lower().startswith("s"))
    QTest.keyClick(method, Qt.Key.Key_Home)
    assert method.currentIndex() == 0
    assert spectrogram.isChecked() is shown  # S did not switch the view
    assert job_window.timeline.playhead == pytest.approx(5.0)  # Home did not move the playhead
    assert plays == []


def _option(window: MainWindow, name: str) -> QComboBox:
    found = [
        w
        for w in window.jobs.prompt_panel.options.findChildren(QComboBox)
        if w.accessibleName() == name and w.isVisibleTo(window)
    ]
    assert len(found) == 1, name
    return found[0]


def test_a_table_with_the_focus_takes_home_end_and_the_page_keys(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    """Clicked or reached with Tab, the spans table moves its row on Home and End; the window's
    Home and End (playhead to start / end) are not run."""
    ran: list[str] = []
    for key in ("playhead_start", "playhead_end"):
        job_window.actions_by_key[key].triggered.connect(lambda *_, k=key: ran.append(k))
    for i in range(4):
        job_window.project.add_span(0.5 * i, 0.5 * i + 0.3, include=i % 2 == 0)
    table = job_window.spans_panel.table
    qtbot.waitUntil(lambda: table.model().rowCount() == 4)
    job_window.activateWindow()
    job_window.seek(2.5)
    second = table.visualRect(table.model().index(1, 0)).center()
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=second)
    qtbot.waitUntil(table.hasFocus)
    assert table.currentIndex().row() == 1
    QTest.keyClick(table, Qt.Key.Key_End)
    assert table.currentIndex().row() == 3
    selected = job_window.edit_state.selected
    assert selected == table.model().mark_at(3).id  # the row's mark is selected, as a click does
    QTest.keyClick(table, Qt.Key.Key_Home)
    assert table.currentIndex().row() == 0
    QTest.keyClick(table, Qt.Key.Key_PageDown)
    assert table.currentIndex().row() == 3
    assert ran == []
    assert job_window.timeline.playhead == pytest.approx(2.5)
    job_window.timeline.setFocus(Qt.FocusReason.MouseFocusReason)  # away from the table ...
    qtbot.waitUntil(lambda: not table.hasFocus())
    QTest.keyClick(job_window.timeline, Qt.Key.Key_Home)  # ... Home is the window's again
    assert ran == ["playhead_start"]
