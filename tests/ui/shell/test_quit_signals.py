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


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_closes_the_editor_and_keeps_the_edits(tmp_path: Path, signum: int) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "ISOLDE_DATA_DIR": str(tmp_path / "data"),
        "ISOLDE_CONFIG_DIR": str(tmp_path / "config"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as from a terminal, whatever this test runner ignores
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("READY"), proc.stderr.read() if proc.stderr else line
        recovery = Path(line.split(" ", 1)[1].strip())
        assert not recovery.exists()  # the edit is younger than the autosave's idle time
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signum, err[-2000:]
    assert f"quitting on {signal.Signals(signum).name}" in err
    assert "Traceback" not in err and "asked about" not in err
    saved = json.loads(recovery.read_text(encoding="utf-8"))
    assert "1.0" in json.dumps(saved) and "2.5" in json.dumps(saved)
