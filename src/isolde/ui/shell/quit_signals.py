"""Quitting on a signal: Ctrl-C in the terminal that started the editor (SIGINT), `kill` or a
logout (SIGTERM), the terminal closing (SIGHUP).

Python runs its signal handlers only when it gets control, and an idle Qt event loop never
gives it: Ctrl-C did nothing, and then surfaced as an error inside whatever slot ran next. Here
the C-level handler's wakeup byte goes to a socket that Qt watches, so the event loop wakes at
once. Nobody may be at the window to answer "Save changes?", so the editor writes the autosave
now and closes without asking (a question already up is dismissed with its safe answer); the
next start offers the unsaved edits back. A signal the process was started ignoring
(`isolde &` from a shell) stays ignored.
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
from types import FrameType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSocketNotifier
from PySide6.QtWidgets import QApplication, QDialog

if TYPE_CHECKING:
    from isolde.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)
SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


def _noted(_signum: int, _frame: FrameType | None) -> None:
    """The wakeup byte already carries the signal; the socket's slot acts on it."""


class QuitOnSignals(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.received: int | None = None  # the signal that closed the window
        self._read, self._write = socket.socketpair()
        for end in (self._read, self._write):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._write.fileno())
        self._previous = {
            s: signal.signal(s, _noted) for s in SIGNALS if signal.getsignal(s) != signal.SIG_IGN
        }
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._woken)

    def _woken(self) -> None:
        try:
            data = self._read.recv(64)
        except OSError:
            return
        caught = [n for n in data if n in self._previous]
        if not caught or self.received is not None:
            return
        self.received = caught[0]
        name = signal.Signals(self.received).name
        log.info("quitting on %s; unsaved edits go to the autosave", name)
        if sys.stderr is not None:
            sys.stderr.write(
                f"isolde: quitting on {name}; unsaved edits are kept and offered at the next "
                "start\n"
            )
        # An open question (restore, save, a file dialog) would keep its own event loop, and
        # the editor, running: each is dismissed with its safe answer (keep, cancel) first.
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        self.window.files.close_keeping_autosave()
        self.window.close()

    def uninstall(self) -> None:
        """Put back the handlers and wakeup descriptor there were before."""
        self._notifier.setEnabled(False)
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._read.close()
        self._write.close()


def quit_on_signals(window: MainWindow) -> QuitOnSignals:
    """From now on SIGINT, SIGTERM and SIGHUP close `window` as described above."""
    return QuitOnSignals(window)
