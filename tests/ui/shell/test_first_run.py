"""The first-run guide: shown when the editor starts with no file (the sample opens), above the
timeline and not modal; Got it, the close button or Esc dismiss it for good, also for the next
start; windows opened on a file never show it; its steps tick as the user does them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from take_helpers import separation_take, stereo_wav
from window_helpers import save_screenshot, shown_window

from isolde.core.settings import load_settings
from isolde.ui.shell.first_run import LISTEN, MARK, SEPARATE
from isolde.ui.shell.main_window import MainWindow

pytest.importorskip("pytestqt")

SIZE = (1280, 800)


def _started(qtbot) -> MainWindow:  # type: ignore[no-untyped-def]
    """A window started as the app starts it with no file: the sample opens."""
    window = shown_window(qtbot, SIZE)
    window.start(None)
    qtbot.waitUntil(lambda: not window.loading and window.document is not None, timeout=20_000)
    assert window.last_error is None, window.last_error
    return window


def test_a_start_without_a_file_shows_the_guide_with_the_real_keys(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _started(qtbot)
    guide = window.first_run.guide
    assert guide.isVisible() and window.timeline.isVisible()
    # Beside the timeline, not over it and not a window of its own.
    assert not guide.isWindow() and guide.geometry().bottom() < window.timeline.geometry().top()
    steps = [label.text() for label in guide.step_labels]
    assert steps == [
        "1. Choose Exclude (E) and drag over a stretch where only the noise is heard.",
        "2. Press Separate (Ctrl+Return).",
        "3. Listen to the target (2) and the residual (3).",
    ]
    assert guide.accessibleName() and "Separate" in guide.accessibleDescription()
    assert guide.got_it.accessibleName() and guide.close_button.accessibleName()
    # Nothing waits for it: the commands work while it is shown.
    window.actions_by_key["tool_exclude"].trigger()
    assert window.edit_state.tool == "exclude"
    path = save_screenshot(window, "first_run_guide.png")
    assert path.stat().st_size > 0


def test_got_it_dismisses_it_for_good(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _started(qtbot)
    assert not load_settings().guide_dismissed
    window.first_run.guide.got_it.click()
    assert not window.first_run.guide.isVisible()
    assert load_settings().guide_dismissed
    window.open_sample()  # opening the sample again does not bring it back
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert not window.first_run.guide.isVisible()
    again = _started(qtbot)  # nor does the next start
    assert not again.first_run.guide.isVisible()


def test_help_shows_the_guide_again_after_it_was_dismissed(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _started(qtbot)
    guide = window.first_run.guide
    guide.got_it.click()
    assert not guide.isVisible() and load_settings().guide_dismissed
    show = window.actions_by_key["show_guide"]
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert show in help_menu.actions()
    show.trigger()
    assert guide.isVisible() and QApplication.focusWidget() is guide.got_it
    assert guide.done == [False, False, False]
    qtbot.keyClick(guide.got_it, Qt.Key.Key_Escape)  # put away again, from the keyboard
    assert not guide.isVisible()


def test_show_the_guide_with_no_file_open_waits_for_one(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot, SIZE)
    show = window.actions_by_key["show_guide"]
    assert show.isEnabled()  # the empty window's Help menu has it too
    show.trigger()
    assert not window.first_run.guide.isVisible()
    window.open_sample()
    qtbot.waitUntil(lambda: window.document is not None, timeout=20_000)
    assert window.first_run.guide.isVisible()


def test_the_close_button_dismisses_it_too(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _started(qtbot)
    window.first_run.guide.close_button.click()
    assert not window.first_run.guide.isVisible() and load_settings().guide_dismissed


def test_esc_in_the_guide_closes_it_and_elsewhere_stops_playback(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _started(qtbot)
    guide = window.first_run.guide
    stops: list[bool] = []
    window.actions_by_key["stop"].triggered.connect(lambda *_: stops.append(True))
    window.timeline.plot_widget.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert stops == [True] and guide.isVisible()  # Esc on the timeline is still Stop
    # Reached with Tab like any control, then Esc.
    guide.got_it.setFocus(Qt.FocusReason.TabFocusReason)
    assert guide.got_it.focusPolicy() & Qt.FocusPolicy.TabFocus
    qtbot.keyClick(guide.got_it, Qt.Key.Key_Escape)
    assert not guide.isVisible() and load_settings().guide_dismissed
    assert stops == [True]
    assert window.isAncestorOf(QApplication.focusWidget())  # the focus stays in the window


def test_windows_opened_on_a_file_never_show_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot, SIZE)
    window.open_sample()  # the Open sample command: the user chose it, no guide
    qtbot.waitUntil(lambda: window.document is not None, timeout=20_000)
    assert not window.first_run.guide.isVisible()


def test_the_steps_tick_as_the_user_does_them(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _started(qtbot)
    guide = window.first_run.guide
    assert guide.done == [False, False, False]
    window.project.add_span(1.0, 2.0, include=True)
    assert not guide.done[MARK]  # an include span is not the noise
    window.project.add_span(3.0, 4.0, include=False)
    assert guide.done[MARK] and guide.step_labels[MARK].text().startswith("✓")
    # A take arrives (here on a short recording: the guide stays until dismissed).
    source = stereo_wav(tmp_path / "scene.wav")
    window.open_path(source)
    qtbot.waitUntil(lambda: not window.loading and window.document is not None, timeout=20_000)
    assert guide.isVisible() and not guide.done[SEPARATE]
    window.project.add_take(separation_take(source, tmp_path / "take"))
    assert guide.done[SEPARATE]
    window.actions_by_key["listen_target"].trigger()
    assert not guide.done[LISTEN]  # both are to be heard
    window.actions_by_key["listen_residual"].trigger()
    assert guide.done[LISTEN]
