"""Real signals to a real editor process: Ctrl-C (SIGINT) and `kill` (SIGTERM) close it at once,
without a question nobody is there to answer, with the unsaved edits in the autosave."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from window_helpers import editor_script

SCRIPT = editor_script(
    """
window.ask_unsaved = lambda *_: sys.exit("asked about unsaved changes")
window.project.add_span(1.0, 2.5, include=False)  # unsaved, and not yet autosaved
print("READY", window.project.recovery_path, flush=True)
"""
)
# The real "Save changes?" box is up (its own event loop) when the signal comes.
ASKING_SCRIPT = editor_script(
    """
window.project.add_span(1.0, 2.5, include=False)
def asked():
    if app.activeModalWidget() is None:
        QTimer.singleShot(20, asked)
        return
    print("READY", window.project.recovery_path, flush=True)
QTimer.singleShot(0, asked)
QTimer.singleShot(0, lambda: window.files.confirm_leaving("opening another file"))
"""
)
# A start with an untitled autosave: the restore offer is up, before the editor's event loop.
OFFERED_SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from isolde.ui.shell.app import create_app, run_app

app = create_app()
def asked():
    box = app.activeModalWidget()
    if box is None:
        QTimer.singleShot(20, asked)
        return
    print("READY", box.windowTitle(), flush=True)
QTimer.singleShot(20, asked)
sys.exit(run_app(None))
"""


def _start(script: str, tmp_path: Path) -> tuple[subprocess.Popen, str]:  # type: ignore[type-arg]
    """The editor running `script` in its own process, and the rest of its READY line."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "ISOLDE_DATA_DIR": str(tmp_path / "data"),
        "ISOLDE_CONFIG_DIR": str(tmp_path / "config"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as from a terminal, whatever this test runner ignores
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY"):
        proc.kill()
        pytest.fail(proc.communicate()[1][-2000:] or "the editor printed nothing")
    return proc, line.split(" ", 1)[1].strip()


def _signal_and_wait(proc: subprocess.Popen, signum: int) -> str:  # type: ignore[type-arg]
    """Send `signum`; the editor must quit on it as a shell reports it, with no traceback."""
    try:
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signum, err[-2000:]
    assert f"quitting on {signal.Signals(signum).name}" in err
    assert "Traceback" not in err and "asked about" not in err
    return err


def _holds_the_span(recovery: Path) -> bool:
    saved = json.dumps(json.loads(recovery.read_text(encoding="utf-8")))
    return "1.0" in saved and "2.5" in saved


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_closes_the_editor_and_keeps_the_edits(tmp_path: Path, signum: int) -> None:
    proc, path = _start(SCRIPT, tmp_path)
    recovery = Path(path)
    assert not recovery.exists()  # the edit is younger than the autosave's idle time
    _signal_and_wait(proc, signum)
    assert _holds_the_span(recovery)


def test_a_question_that_is_up_does_not_keep_the_editor_running(tmp_path: Path) -> None:
    """A box up when the signal comes ("Save changes?") is dismissed with its safe answer
    (Cancel), and the editor quits with the edits in the autosave."""
    proc, path = _start(ASKING_SCRIPT, tmp_path)
    _signal_and_wait(proc, signal.SIGTERM)
    assert _holds_the_span(Path(path))


def test_a_signal_at_the_restore_offer_quits_and_keeps_the_autosave(tmp_path: Path) -> None:
    """Before, the editor hung at the offer; once the box went, it went on opening the sample
    with its loader shut down: a traceback."""
    proc, path = _start(SCRIPT, tmp_path)
    _signal_and_wait(proc, signal.SIGTERM)
    recovery = Path(path)
    assert _holds_the_span(recovery)
    proc, title = _start(OFFERED_SCRIPT, tmp_path)  # the next start offers it back
    assert "Restore" in title
    _signal_and_wait(proc, signal.SIGINT)
    assert _holds_the_span(recovery)  # dismissed is "decide later": nothing discarded
