"""The editor's one global exception hook: any exception nobody caught — in a Qt slot, in the
main thread or in a background thread — goes to the log with its full trace and to one non-modal
notice in the window.

`run_app` installs it (not `MainWindow.__init__`: pytest-qt puts its own hook in place during
tests, and a test window must not replace it). The hook runs on whichever thread failed, so it
touches no widget: it writes the log, then emits a signal that Qt queues to the GUI thread, where
the notice updates. Everything it writes or shows is passed through `core.redact.scrub` first.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import shiboken6
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QMainWindow

from isolde import __version__
from isolde.core.logs import install_log, log_exception
from isolde.core.redact import remember, scrub
from isolde.providers.net.keys import KEY_ENVS
from isolde.ui.shell.error_notice import ErrorNotice

log = logging.getLogger(__name__)
SysHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]
ThreadHook = Callable[[threading.ExceptHookArgs], Any]


def summary(exc: BaseException) -> str:
    """`exc` as "Type: message", scrubbed; never raises (a broken __str__ is reported as such)."""
    try:
        message = str(exc)
    except Exception:
        message = "(the error's message could not be read)"
    name = type(exc).__name__
    return scrub(f"{name}: {message}" if message else name)


class ErrorHook(QObject):
    """Holds the hooks it replaced, so `uninstall` puts them back."""

    caught = Signal(str)  # a scrubbed one-line summary; emitted from any thread

    def __init__(self, notice: ErrorNotice, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.notice = notice
        self.log_path: Path | None = None
        # Queued even from the GUI thread: the notice updates after the failing code unwound.
        self.caught.connect(notice.report, Qt.ConnectionType.QueuedConnection)
        self._previous: tuple[SysHook, ThreadHook] | None = None

    def install(self) -> None:
        if self._previous is None:
            self._previous = (sys.excepthook, threading.excepthook)
            sys.excepthook = self._sys_hook
            threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def _sys_hook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt) and self._previous is not None:
            self._previous[0](kind, exc, tb)  # Ctrl+C in a terminal is not a bug
            return
        thread = threading.current_thread()
        where = "the editor" if thread is threading.main_thread() else f"thread {thread.name}"
        self.handle(where, kind, exc, tb)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if issubclass(args.exc_type, SystemExit):
            return  # as Python's own hook: a thread that exits is not an error
        name = args.thread.name if args.thread is not None else "a background thread"
        exc = args.exc_value if args.exc_value is not None else args.exc_type()
        self.handle(f"thread {name}", args.exc_type, exc, args.exc_traceback)

    def handle(
        self, where: str, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        """Log, echo to stderr, and queue the notice. Never raises: a failing hook would hide
        the error it was reporting."""
        try:
            self.log_path = log_exception(where, (kind, exc, tb))
            if sys.stderr is not None:  # None in a windowed app with no console
                trace = "".join(traceback.format_exception(kind, exc, tb))
                sys.stderr.write(scrub(f"Unexpected error in {where}:\n{trace}"))
            if shiboken6.isValid(self):
                self.caught.emit(summary(exc))
        except Exception:
            sys.__excepthook__(*sys.exc_info())  # type: ignore[arg-type]


def remember_environment_keys() -> None:
    """Make keys given in the environment known to the scrubber before anything can echo them
    (keyring keys become known when they are read: reading them here could prompt for a
    password at start)."""
    for name in KEY_ENVS:
        value = os.environ.get(name, "").strip()
        if value:
            remember(value)


def install_error_hook(window: QMainWindow) -> ErrorHook:
    """Start the log, put the notice above the window's timeline and the hook in place."""
    remember_environment_keys()
    path: Path | None
    try:
        path = install_log()
    except OSError:
        path = None  # the notice then says to look at the terminal
    body = window.centralWidget()
    notice = ErrorNotice(lambda: hook.log_path, body)  # a child: never a window of its own
    layout = body.layout()
    if isinstance(layout, QBoxLayout):
        layout.insertWidget(0, notice)  # above the banner and the timeline
    hook = ErrorHook(notice, window)
    hook.log_path = path
    hook.install()
    log.info(
        "Isolde %s started (Python %s, PySide6 %s, %s)",
        __version__,
        platform.python_version(),
        pyside_version,
        platform.platform(),
    )
    return hook
