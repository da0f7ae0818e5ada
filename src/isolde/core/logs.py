"""Isolde's log file: where it lives, and a rotating handler that never writes a known key.

The folder is the platform's user log folder (platformdirs); `$ISOLDE_LOG_DIR` overrides it (tests
point it at a temporary folder). Every record — message, arguments and traceback — is formatted
first and then passed through `core.redact.scrub`, so a key Isolde has seen is replaced before a
byte reaches the disk, or any handler after the file's. No Qt here: the editor and the headless
commands share it. The handler module is imported when the log is installed, not with this
module, so `isolde --help` stays light.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from types import TracebackType

from isolde.core.paths import user_dir
from isolde.core.redact import scrub

LOG_DIR_ENV = "ISOLDE_LOG_DIR"
FILE_NAME = "isolde.log"
MAX_BYTES = 1_000_000  # per file; with BACKUPS, at most ~6 MB of logs on disk
BACKUPS = 5
LOGGER = "isolde"
HANDLER_NAME = "isolde-log-file"
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
_lock = threading.Lock()  # two threads failing at once must not add two handlers


def log_dir() -> Path:
    """Isolde's log folder; `$ISOLDE_LOG_DIR` overrides it."""
    return user_dir(LOG_DIR_ENV, "log")


def log_path() -> Path:
    return log_dir() / FILE_NAME


class ScrubbingFormatter(logging.Formatter):
    """Formats as usual, then replaces every known key in the whole text, trace included."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class ScrubFilter(logging.Filter):
    """Scrubs the record itself (message, trace, stack), so the handlers it reaches after the
    file's — the root logger's, a test's log capture — never see a known key either."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def installed_handler() -> logging.Handler | None:
    """The rotating file handler `install_log` put on the `isolde` logger, if any."""
    for handler in logging.getLogger(LOGGER).handlers:
        if handler.get_name() == HANDLER_NAME:
            return handler
    return None


def install_log(
    max_bytes: int = MAX_BYTES, backups: int = BACKUPS, level: int = logging.INFO
) -> Path:
    """Send the `isolde` logger's records at `level` and above to the rotating log file, and
    return its path. Calling again is harmless; a handler for another folder (the log folder
    changed since) is replaced."""
    path = log_path()
    logger = logging.getLogger(LOGGER)
    current = installed_handler()
    if current is not None:
        if getattr(current, "baseFilename", None) == os.path.abspath(path):
            return path
        _remove(current)
    path.parent.mkdir(parents=True, exist_ok=True)
    from logging.handlers import RotatingFileHandler  # late: keeps the CLI's start-up light

    # delay: the file is made at the first record, so a quiet session leaves no empty log.
    handler = RotatingFileHandler(
        path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", delay=True
    )
    handler.set_name(HANDLER_NAME)
    handler.addFilter(ScrubFilter())
    handler.setFormatter(ScrubbingFormatter(FORMAT))
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    return path


def remove_log() -> None:
    """Take the file handler off the `isolde` logger and close its file."""
    with _lock:
        handler = installed_handler()
        if handler is not None:
            _remove(handler)


def _remove(handler: logging.Handler) -> None:
    logging.getLogger(LOGGER).removeHandler(handler)
    handler.close()


def log_exception(where: str, exc_info: ExcInfo) -> Path | None:
    """Write one record with the full trace of an exception nobody caught; return the log's
    path, or None when the log folder cannot be made (the caller still has stderr).
    `where` says what was running ("the editor", "thread isolde-open_0", "isolde batch")."""
    try:
        path = install_log()
    except OSError:
        return None
    logging.getLogger(f"{LOGGER}.crash").error("Unexpected error in %s", where, exc_info=exc_info)
    return path
