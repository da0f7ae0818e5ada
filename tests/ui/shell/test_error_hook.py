"""The global exception hook: an error nobody caught — in a Qt slot or a background thread —
gives one log entry with its trace and one non-modal notice, never the key it carried.

The hook is installed inside each test body and removed before it ends: pytest-qt swaps its own
`sys.excepthook` in and out around every test phase, so a fixture's hook would not survive.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from job_helpers import noise_wav
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication
from window_helpers import open_in_window, save_screenshot, shown_window

from isolde.core import logs
from isolde.core.redact import Secret
from isolde.ui.shell.error_hook import ErrorHook, install_error_hook
from isolde.ui.shell.error_notice import ErrorNotice
from isolde.ui.shell.main_window import MainWindow


def sentinel() -> Secret:
    """A fresh key, wrapped in a Secret first as every key Isolde reads is."""
    return Secret(f"sk-sentinel-{uuid.uuid4().hex}")


@contextmanager
def hooked(window: MainWindow) -> Iterator[ErrorHook]:
    before = (sys.excepthook, threading.excepthook)
    hook = install_error_hook(window)
    try:
        yield hook
    finally:
        hook.uninstall()
        logs.remove_log()  # flushes the file for reading, and leaves no handler behind
    assert (sys.excepthook, threading.excepthook) == before


def fail_in_slot(key: Secret) -> None:
    token = key.reveal()  # a local holding the key, as a provider call would
    raise RuntimeError(f"upload refused for {token}")


def fail_in_thread(key: Secret) -> None:
    token = key.reveal()
    raise ValueError(f"status poll failed with key {token}")


def crash_entries(text: str) -> list[str]:
    return [line for line in text.splitlines() if " ERROR isolde.crash " in line]


def other_windows(window: MainWindow) -> list[str]:
    """Visible top-level widgets besides the window: a dialog would show up here."""
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not window]
    return [type(w).__name__ for w in shown]


def test_errors_in_a_slot_and_a_thread_give_one_notice_and_one_entry_each_without_the_key(
    qtbot, capsys: pytest.CaptureFixture[str]
) -> None:
    window = shown_window(qtbot)
    key = sentinel()
    with hooked(window) as hook:
        notice = window.findChild(ErrorNotice)
        assert notice is not None and not notice.isVisible()
        QTimer.singleShot(0, lambda: fail_in_slot(key))
        qtbot.waitUntil(lambda: notice.count == 1)
        assert notice.isVisible()
        assert "RuntimeError: upload refused for [redacted]" in notice.label.text()

        worker = threading.Thread(target=fail_in_thread, args=(key,), name="isolde-test-poll")
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: notice.count == 2)
        assert notice.label.text().startswith("2 errors — see the log.")
        assert window.findChildren(ErrorNotice) == [notice]
        assert other_windows(window) == []
        path = hook.log_path
    assert path == logs.log_path()

    text = path.read_text(encoding="utf-8")
    entries = crash_entries(text)
    assert len(entries) == 2
    assert "Unexpected error in the editor" in entries[0]
    assert "Unexpected error in thread isolde-test-poll" in entries[1]
    assert text.count("Traceback (most recent call last)") == 2
    assert "in fail_in_slot" in text and "in fail_in_thread" in text
    assert key.reveal() not in text
    assert key.reveal() not in notice.label.text()
    assert key.reveal() not in capsys.readouterr().err


def test_a_burst_of_errors_updates_the_one_notice(qtbot) -> None:
    window = shown_window(qtbot)
    key = sentinel()
    with hooked(window) as hook:
        notice = window.findChild(ErrorNotice)
        for _ in range(5):
            QTimer.singleShot(0, lambda: fail_in_slot(key))
        qtbot.waitUntil(lambda: notice.count == 5)
        assert notice.label.text().startswith("5 errors — see the log.")
        assert other_windows(window) == []
        path = hook.log_path
    assert len(crash_entries(path.read_text(encoding="utf-8"))) == 5


def test_dismiss_hides_the_notice_and_the_next_error_counts_from_one(qtbot) -> None:
    window = shown_window(qtbot)
    with hooked(window):
        notice = window.findChild(ErrorNotice)
        for _ in range(2):
            QTimer.singleShot(0, lambda: fail_in_slot(sentinel()))
        qtbot.waitUntil(lambda: notice.count == 2)
        qtbot.mouseClick(notice.dismiss_button, Qt.MouseButton.LeftButton)
        assert not notice.isVisible() and notice.count == 0
        QTimer.singleShot(0, lambda: fail_in_slot(sentinel()))
        qtbot.waitUntil(lambda: notice.count == 1)
        assert notice.isVisible()
        assert notice.label.text().startswith("Something went wrong: RuntimeError")


def test_open_log_opens_the_log_file(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[QUrl] = []

    def record(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", record)
    window = shown_window(qtbot)
    with hooked(window):
        notice = window.findChild(ErrorNotice)
        QTimer.singleShot(0, lambda: fail_in_slot(sentinel()))
        qtbot.waitUntil(lambda: notice.count == 1)
        qtbot.mouseClick(notice.open_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(logs.log_path()))]


def test_when_no_program_opens_the_log_the_notice_says_where_it_is(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    window = shown_window(qtbot)
    with hooked(window):
        notice = window.findChild(ErrorNotice)
        QTimer.singleShot(0, lambda: fail_in_slot(sentinel()))
        qtbot.waitUntil(lambda: notice.count == 1)
        assert not notice.open_log()
        assert f"No program opened the log: {logs.log_path()}" in notice.label.text()


def test_the_notice_sits_above_the_timeline_at_1280x800(qtbot, tmp_path: Path) -> None:
    window = open_in_window(qtbot, noise_wav(tmp_path / "noise.wav"), (1280, 800))
    with hooked(window):
        notice = window.findChild(ErrorNotice)
        for _ in range(3):
            QTimer.singleShot(0, lambda: fail_in_slot(sentinel()))
        qtbot.waitUntil(lambda: notice.count == 3)
        qtbot.waitUntil(lambda: notice.geometry().bottom() < window.timeline.geometry().top())
        assert notice.open_button.isVisible() and notice.dismiss_button.isVisible()
        save_screenshot(window, "error-notice.png")


RUN_APP_SCRIPT = """
import json, sys
from PySide6.QtCore import QTimer
from isolde.core.redact import Secret
from isolde.ui.shell.app import create_app, run_app
from isolde.ui.shell.error_notice import ErrorNotice

app = create_app()
key = Secret(sys.argv[1])
seen = {}

def boom():
    token = key.reveal()
    raise LookupError(f"no job for key {token}")

def check_and_close(window):
    notice = window.findChild(ErrorNotice)
    seen.update(count=notice.count, visible=notice.isVisible(), text=notice.label.text())
    window.close()

def when_loaded():
    windows = [w for w in app.topLevelWidgets() if w.objectName() == "isolde-main"]
    if not windows or windows[0].loading:
        QTimer.singleShot(50, when_loaded)
        return
    QTimer.singleShot(0, boom)
    QTimer.singleShot(300, lambda: check_and_close(windows[0]))

hooks = (sys.excepthook,)
QTimer.singleShot(50, when_loaded)
code = run_app(None)
seen["restored"] = sys.excepthook is hooks[0]
print(json.dumps(seen))
sys.exit(code)
"""


def test_run_app_installs_the_hook_and_removes_it_on_quit() -> None:
    key = f"sk-sentinel-{uuid.uuid4().hex}"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", RUN_APP_SCRIPT, key],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout.splitlines()[-1])
    assert seen["count"] == 1 and seen["visible"] and seen["restored"]
    assert "LookupError: no job for key [redacted]" in seen["text"]
    text = (Path(os.environ["ISOLDE_LOG_DIR"]) / "isolde.log").read_text(encoding="utf-8")
    assert len(crash_entries(text)) == 1 and "in boom" in text
    assert "Isolde" in text and " INFO isolde.ui.shell.error_hook " in text  # the start line
    assert key not in text and key not in proc.stderr
