"""Guard against a Qt binding that leaks references to None/True/False.

PySide6 6.12.0 on CPython 3.11 dropped one reference to None or True on every call returning
nothing (setText, setEnabled, signal emit...), so the interpreter aborted with "bool_dealloc"
after a few thousand UI updates. Run in a subprocess: a regression kills that process, not pytest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = """
import sys
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication([])
label = QLabel()

class Emitter(QObject):
    fired = Signal()

emitter = Emitter()
before = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
for _ in range(300):
    label.setText("x")
    label.setEnabled(True)
    label.setVisible(False)
    emitter.fired.emit()
after = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
print([a - b for a, b in zip(after, before)])
"""


def test_qt_calls_do_not_leak_references_to_singletons() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-1500:]
    drift = json.loads(proc.stdout.strip())
    assert all(abs(d) < 50 for d in drift), f"refcount drift of None/True/False: {drift}"
