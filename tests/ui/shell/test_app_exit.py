"""The editor quits with exit code 0: no crash while Python shuts down after the window closes."""

from __future__ import annotations

import os
import subprocess
import sys

from window_helpers import editor_script

SCRIPT = editor_script(
    """
window.ask_unsaved = lambda *_: Answer.DISCARD  # the real question is modal
window.project.add_span(0.0, 1.0, include=False)
window.project.add_region(12.0, 12.5)
QTimer.singleShot(200, window.close)
"""
)


def test_open_sample_then_quit_exits_cleanly() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
