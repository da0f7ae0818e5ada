"""Qt's own warnings reach Isolde's log file (scrubbed of keys) and still reach stderr; the
previous handler comes back on uninstall."""

from __future__ import annotations

import threading
import uuid

from PySide6.QtCore import qWarning

from isolde.core import logs
from isolde.core.redact import Secret, remember
from isolde.ui.shell.qt_messages import install_qt_messages


def test_qt_warnings_go_to_the_log_without_keys_and_to_stderr(capfd) -> None:  # type: ignore[no-untyped-def]
    key = Secret(f"sk-qt-{uuid.uuid4().hex}")
    remember(key.reveal())
    path = logs.install_log()
    restore = install_qt_messages()
    try:
        qWarning(f"QPainter::begin: Paint device returned engine == 0 ({key.reveal()})")
        worker = threading.Thread(target=qWarning, args=("QObject: from a worker thread",))
        worker.start()
        worker.join()
    finally:
        restore()
        logs.remove_log()
    text = path.read_text(encoding="utf-8")
    assert "WARNING isolde.qt" in text and "QPainter::begin: Paint device" in text
    assert "QObject: from a worker thread" in text
    assert key.reveal() not in text
    err = capfd.readouterr().err
    assert "QPainter::begin" in err and key.reveal() not in err
    qWarning("after uninstall: not ours")
    assert "after uninstall" not in path.read_text(encoding="utf-8")
