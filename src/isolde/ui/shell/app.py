"""The Qt application: one main window on a file, a project or the bundled sample."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import shiboken6
from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtWidgets import QApplication

from isolde.core.settings import load_settings
from isolde.ui.common.theme import apply_theme
from isolde.ui.shell.error_hook import install_error_hook
from isolde.ui.shell.layout_memory import restore_layout
from isolde.ui.shell.main_window import MainWindow
from isolde.ui.shell.qt_messages import install_qt_messages
from isolde.ui.shell.quit_signals import quit_on_signals
from isolde.ui.shell.smoke_exit import quit_after_load_if_asked


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName("Isolde")
    app.setOrganizationName("Isolde")
    apply_theme(app, load_settings().theme)  # type: ignore[arg-type]
    return app  # type: ignore[return-value]


def collect_on_the_gui_thread(interval_s: float = 0.5) -> GarbageCollector:
    """Run Python's cycle collector from a timer on the GUI thread instead of wherever it
    happens to trigger. Left automatic, it can run in a job's worker thread, or inside a Qt call
    such as QObject::disconnect, and destroy a Qt object there: the tests once hung that way,
    a QMenu's destructor waiting for the lock the disconnect held. pyqtgraph's collector
    disables the automatic one and collects each generation as its thresholds are passed."""
    return GarbageCollector(interval=interval_s)


def run_app(path: str | None) -> int:
    app = create_app()
    collector = collect_on_the_gui_thread()
    window = MainWindow()
    errors = install_error_hook(window)  # here, not in MainWindow: tests keep pytest-qt's hook
    restore_qt_messages = install_qt_messages()  # Qt's warnings go to the log as well
    signals = quit_on_signals(window)  # Ctrl-C, kill, logout: autosave, then close
    # Roomy by default, but never larger than the screen (a 1280×800 laptop must see it all).
    width, height = 1320, 820
    screen = app.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry()
        width, height = min(width, room.width()), min(height, room.height())
    window.resize(width, height)
    restore_layout(window)  # where the window and its docks were last time, if saved and sound
    window.show()
    # A file, or else the autosave of an untitled project to restore, or else the sample.
    window.start(None if path is None else Path(path))
    quit_after_load_if_asked(window, app.exit)  # packaging/smoke_test.py only: quit once loaded
    # A signal during start-up (at the restore offer) has closed the window already: with no
    # window left to close, the event loop would never end.
    code = app.exec() if signals.received is None else 0
    # Destroy the widgets while Qt is still up: left to interpreter shutdown, pyqtgraph items
    # on PySide6 can crash the process after a clean quit.
    window.close()
    errors.uninstall()
    restore_qt_messages()
    signals.uninstall()
    if signals.received is not None:
        code = 128 + signals.received  # as a shell reports a process a signal stopped
    shiboken6.delete(window)
    del window
    collector.timer.stop()
    gc.enable()
    gc.collect()
    return code


def main() -> int:
    from isolde.ui.shell.launch import launch_editor

    return launch_editor(sys.argv[1] if len(sys.argv) > 1 else None)
