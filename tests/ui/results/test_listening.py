"""Listening while marking: Space, play a mark, loop, the playhead following, no device."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from timeline_helpers import write_tone_wav

from isolde.audio.device import NO_OUTPUT
from isolde.audio.playback import Player
from isolde.audio.pull_backend import PullBackend
from isolde.ui.shell.main_window import MainWindow


def _window(qtbot, path: Path, backend: PullBackend) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(player_factory=lambda: Player(backend=backend))
    qtbot.addWidget(window)
    window.resize(1000, 400)
    window.show()
    window.open_path(path)
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    return window


def _play_for(backend: PullBackend, player: Player, seconds: float) -> None:
    """Stand in for the sound card: pull `seconds` of audio in device-sized blocks."""
    blocks = int(seconds * backend.sample_rate / 512)
    for _ in range(blocks):
        player.wait_buffered(1.0)
        backend.pull(512)


def test_space_plays_from_the_playhead_and_the_playhead_follows(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    backend = PullBackend()
    window = _window(qtbot, write_tone_wav(tmp_path / "a.wav", 6.0), backend)
    window.seek(2.0)
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert window.transport.playing
    player = window.transport.player
    _play_for(backend, player, 1.0)
    qtbot.waitUntil(lambda: window.timeline.playhead > 2.5, timeout=5_000)
    assert window.timeline.playhead == pytest.approx(3.0, abs=0.1)
    assert "Pause" in window.actions_by_key["play_pause"].text()
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert not window.transport.playing


def test_play_and_loop_the_selected_mark(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    backend = PullBackend()
    window = _window(qtbot, write_tone_wav(tmp_path / "a.wav", 6.0), backend)
    mark = window.project.add_span(1.0, 1.5)
    window.edit_state.select(mark)
    window.actions_by_key["play_mark"].trigger()
    player = window.transport.player
    _play_for(backend, player, 1.0)  # longer than the mark: playback stops at its end
    qtbot.waitUntil(lambda: abs(window.timeline.playhead - 1.5) < 0.05, timeout=5_000)
    assert not window.transport.playing
    window.actions_by_key["loop_mark"].trigger()
    _play_for(backend, player, 1.2)  # more than two passes round the loop
    assert window.transport.playing
    assert 1.0 <= player.position <= 1.5
    window.actions_by_key["stop"].trigger()
    assert not window.transport.playing


def test_no_output_device_is_a_status_message_and_nothing_else(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    backend = PullBackend(fail=NO_OUTPUT.format("no output device was found"))
    window = _window(qtbot, write_tone_wav(tmp_path / "a.wav", 3.0), backend)
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert not window.transport.playing
    assert "No sound output" in window.statusBar().currentMessage()
    window.project.add_span(0.5, 1.0)  # editing still works
    assert len(window.project.state.spans) == 1
    assert window.last_error is None
