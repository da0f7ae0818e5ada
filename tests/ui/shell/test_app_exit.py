"""The editor quits with exit code 0: no crash while Python shuts down after the window closes."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from isolde.ui.shell.app import create_app, run_app
from isolde.ui.shell.unsaved import Answer

app = create_app()
def close_when_loaded():
    windows = [w for w in app.topLevelWidgets() if w.objectName() == "isolde-main"]
    if not windows or windows[0].loading:
        QTimer.singleShot(50, close_when_loaded)
        return
    windows[0].ask_unsaved = lambda *_: Answer.DISCARD  # the real question is modal
    windows[0].project.add_span(0.0, 1.0, include=False)
    windows[0].project.add_region(12.0, 12.5)
    QTimer.singleShot(200, windows[0].close)
QTimer.singleShot(50, close_when_loaded)
sys.exit(run_app(None))
"""


def test_open_sample_then_quit_exits_cleanly() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
