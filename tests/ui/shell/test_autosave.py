"""Autosave follows the edits: a moment after the last one, never long after the first one,
off the GUI thread, and never leaving a stale file behind a save or an undo back to clean."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtTest import QTest
from timeline_helpers import write_tone_wav
from window_helpers import open_in_window

from isolde.core.paths import recovery_dir
from isolde.core.projectfile import read_project_file
from isolde.ui.shell.main_window import MainWindow

pytest.importorskip("pytestqt")


def _window(qtbot, tmp_path: Path, idle_ms: int, latest_ms: int) -> MainWindow:  # type: ignore[no-untyped-def]
    window = open_in_window(qtbot, write_tone_wav(tmp_path / "a.wav", 3.0, 1), (900, 500))
    window.autosaver.idle_ms, window.autosaver.latest_ms = idle_ms, latest_ms
    return window


def _spans_in(path: Path) -> int:
    return len(read_project_file(path).state.spans)


def test_an_edit_is_autosaved_a_moment_after_the_last_edit(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path, idle_ms=300, latest_ms=5_000)
    project = window.project
    assert project is not None
    project.add_span(0.1, 0.2)
    QTest.qWait(100)
    project.add_span(0.3, 0.4)  # restarts the wait
    QTest.qWait(250)
    assert not project.recovery_path.exists()
    qtbot.waitUntil(project.recovery_path.exists, timeout=2_000)
    qtbot.waitUntil(lambda: window.autosaver.writer.idle)
    assert _spans_in(project.recovery_path) == 2


def test_steady_editing_is_autosaved_without_a_pause(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path, idle_ms=400, latest_ms=600)
    project = window.project
    assert project is not None
    began = time.monotonic()
    for i in range(20):  # an edit every 100 ms: the idle wait alone would never end
        project.add_span(0.1 * i, 0.1 * i + 0.05)
        QTest.qWait(100)
        if project.recovery_path.exists():
            break
    assert project.recovery_path.exists(), "no autosave during 2 s of steady editing"
    assert time.monotonic() - began < 1.5


def test_undo_back_to_clean_removes_the_autosave(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path, idle_ms=50, latest_ms=100)
    project = window.project
    assert project is not None
    project.add_span(0.1, 0.2)
    qtbot.waitUntil(project.recovery_path.exists)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: not project.recovery_path.exists())


def test_saving_leaves_no_autosave_behind(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path, idle_ms=0, latest_ms=0)
    project = window.project
    assert project is not None
    window.ask_save_path = lambda _parent, _proposed: tmp_path / "p"
    for i in range(30):  # autosaves queued and under way when the save comes
        project.add_span(0.05 * i, 0.05 * i + 0.02)
        QTest.qWait(1)
    window.save_action.trigger()
    assert project.path == tmp_path / "p.isolde" and not project.dirty
    QTest.qWait(300)
    assert not project.recovery_path.exists()
    assert not list(recovery_dir().glob("*.autosave"))


def test_a_failed_autosave_is_reported(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path, idle_ms=50, latest_ms=100)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("ISOLDE_DATA_DIR", str(blocker))  # the recovery folder cannot be made
    assert window.project is not None
    window.project.add_span(0.1, 0.2)
    qtbot.waitUntil(lambda: "could not autosave" in window.statusBar().currentMessage())
    assert "save the project" in window.statusBar().currentMessage()
