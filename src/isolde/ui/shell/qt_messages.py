"""Qt's own warnings into Isolde's log.

Qt reports what goes wrong inside it — a painter on a dead device, a signal to a deleted
object, a missing platform plugin feature — as messages that otherwise reach only a terminal,
which a user who starts the editor from a desktop never sees. `install_qt_messages` sends them
to the `isolde.qt` logger (and so to the log file, scrubbed of keys like every record) and still
prints them to stderr as Qt does. The handler runs on whichever thread Qt reported from; it only
formats and logs, and touches no Qt object.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

from isolde.core.redact import scrub

log = logging.getLogger("isolde.qt")
LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
Handler = Callable[[QtMsgType, QMessageLogContext, str], Any] | None


def qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Log one Qt message with its category, and echo it to stderr. Never raises: Qt calls
    this from inside its own code."""
    try:
        category = context.category or "qt"
        log.log(LEVELS.get(kind, logging.WARNING), "[%s] %s", category, message)
        if sys.stderr is not None and kind != QtMsgType.QtDebugMsg:
            sys.stderr.write(scrub(f"Qt {category}: {message}\n"))
    except Exception:
        pass  # a message lost is better than an exception thrown back into Qt


def install_qt_messages() -> Callable[[], None]:
    """Route Qt's messages to the log; returns a function that puts the previous handler back."""
    previous: Handler = qInstallMessageHandler(qt_message)

    def uninstall() -> None:
        qInstallMessageHandler(previous)

    return uninstall
