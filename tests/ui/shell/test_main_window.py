"""The first window: opens a file off the GUI thread, shows its lanes and the project's marks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from isolde.ui.shell.main_window import MainWindow

pytest.importorskip("pytestqt")


def _open(qtbot, path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.open_path(path)
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    return window


def test_opens_the_bundled_sample(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow()
    qtbot.addWidget(window)
    window.open_sample()
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert window.last_error is None
    assert window.timeline.waveform.lanes == 2
    assert window.timeline.view.duration == pytest.approx(24.0)
    assert "sample.flac" in window.windowTitle()


def test_marks_follow_the_project_and_undo(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "mono.wav"
    sf.write(path, np.sin(np.linspace(0, 2000, 48000 * 3)).astype(np.float32) * 0.5, 48000)
    window = _open(qtbot, path)
    assert window.timeline.waveform.lanes == 1
    assert window.project is not None
    window.project.add_span(0.5, 1.0, include=False)
    window.project.add_span(1.5, 2.0, include=True)
    assert len(window.timeline.marks._marks) == 2
    assert window.undo_action.isEnabled()
    window.undo_action.trigger()
    assert len(window.timeline.marks._marks) == 1
    assert window.redo_action.isEnabled()


def test_a_bad_file_shows_a_message_and_keeps_the_open_document(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.wav"
    sf.write(good, np.zeros((4800, 2), np.float32), 48000)
    window = _open(qtbot, good)
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00")
    window.open_path(bad)
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert window.last_error is not None and window.last_error.count("bad.wav") == 1, (
        "the message names the file once"
    )
    assert window.banner.isVisibleTo(window)
    assert window.document is not None and Path(window.document.source.info.path).name == "good.wav"
