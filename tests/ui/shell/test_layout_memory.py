"""The window's size and its docks' places are remembered on close and restored at the next
start (run_app); damaged saved data is ignored and the default layout stays."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QToolBar
from window_helpers import shown_window

from isolde.core.settings import load_settings, update_settings
from isolde.ui.shell.layout_memory import restore_layout
from isolde.ui.shell.main_window import MainWindow

pytest.importorskip("pytestqt")

SAVED, GIVEN = (1000, 720), (1100, 760)  # both above the window's minimum size
LEFT, RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea


def _restored_window(qtbot) -> tuple[MainWindow, bool]:  # type: ignore[no-untyped-def]
    """A new window laid out as run_app does it: restored before it is shown."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(*GIVEN)
    restored = restore_layout(window)
    window.show()
    qtbot.waitExposed(window)
    return window, restored


def test_every_dock_and_toolbar_has_its_own_object_name(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    parts = window.findChildren(QDockWidget) + window.findChildren(QToolBar)
    names = [part.objectName() for part in parts]
    assert len(parts) >= 8 and all(names), names  # saveState finds them by name
    assert len(set(names)) == len(names), names


def test_moved_and_hidden_docks_come_back_where_they_were(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot, SAVED)
    assert window.dockWidgetArea(window.spans_dock) == RIGHT
    window.addDockWidget(LEFT, window.spans_dock)
    window.jobs.jobs_dock.hide()
    window.close()
    saved = load_settings()
    assert saved.window_geometry and saved.window_state

    again, restored = _restored_window(qtbot)
    assert restored
    assert again.dockWidgetArea(again.spans_dock) == LEFT
    assert not again.jobs.jobs_dock.isVisible() and again.jobs.prompt_dock.isVisible()
    # The height it had, not the one it was given (the offscreen screen is 800 px wide, narrower
    # than the window's minimum: Qt fits a restored width to the screen, then to that minimum).
    assert again.height() == SAVED[1]


def test_without_a_saved_layout_the_default_stays(qtbot) -> None:  # type: ignore[no-untyped-def]
    window, restored = _restored_window(qtbot)
    assert not restored
    assert window.dockWidgetArea(window.spans_dock) == RIGHT
    assert (window.width(), window.height()) == GIVEN


@pytest.mark.parametrize(
    ("geometry", "state"),
    [
        ("not base64 at all!", "%%%"),
        (base64.b64encode(b"\x01\x02garbage").decode(), base64.b64encode(b"\xff" * 40).decode()),
    ],
)
def test_damaged_layout_data_is_ignored(qtbot, geometry: str, state: str) -> None:  # type: ignore[no-untyped-def]
    update_settings(window_geometry=geometry, window_state=state)
    window, restored = _restored_window(qtbot)
    assert not restored
    assert window.dockWidgetArea(window.spans_dock) == RIGHT
    assert window.jobs.jobs_dock.isVisible()
    assert (window.width(), window.height()) == GIVEN


def test_reset_layout_puts_the_docks_back_after_a_restored_layout(qtbot) -> None:  # type: ignore[no-untyped-def]
    first = shown_window(qtbot, SAVED)
    default_width = first.spans_dock.width()
    first.addDockWidget(LEFT, first.spans_dock)
    first.jobs.jobs_dock.hide()
    first.jobs.prompt_dock.setFloating(True)
    first.close()

    window, restored = _restored_window(qtbot)  # the user's layout, restored at start
    assert restored and window.dockWidgetArea(window.spans_dock) == LEFT
    reset = window.actions_by_key["reset_layout"]
    assert reset.isEnabled() and reset in _view_menu(window).actions()
    reset.trigger()
    qtbot.waitUntil(lambda: window.dockWidgetArea(window.spans_dock) == RIGHT, timeout=2000)
    assert window.jobs.jobs_dock.isVisible() and not window.jobs.prompt_dock.isFloating()
    assert window.dockWidgetArea(window.jobs.prompt_dock) == RIGHT
    assert abs(window.spans_dock.width() - default_width) < 0.25 * default_width
    assert not window.video.dock.isVisible()  # no video open: no empty picture either
    window.jobs.jobs_dock.hide()
    reset.trigger()  # again: the same default, not the layout restored at start
    assert window.jobs.jobs_dock.isVisible()


def test_reset_layout_keeps_the_picture_of_an_open_video(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    window.video.dock.show()  # as set_document does for a video
    window.addDockWidget(LEFT, window.spans_dock)
    window.actions_by_key["reset_layout"].trigger()
    assert window.video.dock.isVisible()
    assert window.dockWidgetArea(window.spans_dock) == RIGHT


def _view_menu(window):  # type: ignore[no-untyped-def]
    menus = [a.menu() for a in window.menuBar().actions()]
    return next(m for m in menus if m.title() == "&View")


# Two launches of the real app: the first moves the marks dock left and quits, the second
# reports where it is. Both open the sample (start with no file) and quit once it has loaded.
RUN = """
import sys
from PySide6.QtCore import Qt, QTimer
from isolde.ui.shell.app import create_app, run_app

app = create_app()
def when_loaded():
    windows = [w for w in app.topLevelWidgets() if w.objectName() == "isolde-main"]
    if not windows or windows[0].document is None:
        QTimer.singleShot(50, when_loaded)
        return
    w = windows[0]
    if sys.argv[1] == "move":
        w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, w.spans_dock)
    else:
        print("area", w.dockWidgetArea(w.spans_dock).name)
    w.close()
QTimer.singleShot(50, when_loaded)
sys.exit(run_app(None))
"""


def test_the_app_restores_the_layout_it_saved_when_it_quit() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}  # the test's own config folder
    for step in ("move", "report"):
        proc = subprocess.run(
            [sys.executable, "-c", RUN, step], env=env, capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
    assert "area LeftDockWidgetArea" in proc.stdout, proc.stdout + proc.stderr[-2000:]
