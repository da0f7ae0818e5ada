"""With no file the window shows a message, Open and Open sample buttons and takes a dropped file;
the commands that need a file are disabled until one is open."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from timeline_helpers import write_tone_wav
from window_helpers import shown_window

from isolde.resources import sample_path
from isolde.ui.shell.main_window import MainWindow
from isolde.ui.shell.unsaved import Answer

pytest.importorskip("pytestqt")

NEEDS_FILE = ("separate", "inpaint", "export", "play_pause", "zoom_in", "tool_include", "add_mark")


def _needs_file(window: MainWindow) -> list[object]:
    return [window.actions_by_key[key] for key in NEEDS_FILE] + [window.save_action]


def _wait_open(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not window.loading and window.document is not None, timeout=20_000)
    assert window.last_error is None, window.last_error


def _drop(target: QWidget, path: Path) -> tuple[bool, bool]:
    """Drag `path` over `target` and drop it as the window system does: (entered, dropped)."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    where = target.rect().center()
    enter = QDragEnterEvent(
        where, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0)
    )
    QApplication.sendEvent(target, enter)
    drop = QDropEvent(
        QPointF(where),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier(0),
    )
    if enter.isAccepted():
        QApplication.sendEvent(target, drop)
    return enter.isAccepted(), drop.isAccepted()


def test_no_file_shows_the_empty_state_and_disables_file_commands(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    empty = window.empty_state.widget
    assert empty.isVisible() and not window.timeline.isVisible()
    assert empty.open_button.isVisible() and empty.sample_button.isVisible()
    assert not any(action.isEnabled() for action in _needs_file(window))
    assert window.open_action.isEnabled() and window.sample_action.isEnabled()
    # A panel that enables one of them for its own reason does not beat "no file".
    window.actions_by_key["separate"].setEnabled(True)
    assert not window.actions_by_key["separate"].isEnabled()


def test_open_sample_button_opens_it_and_enables_the_commands(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    window.empty_state.widget.sample_button.click()
    _wait_open(qtbot, window)
    assert Path(window.document.source.info.path).name == "sample.flac"
    assert window.timeline.isVisible() and not window.empty_state.widget.isVisible()
    for key in ("export", "play_pause", "zoom_in", "tool_include", "add_mark"):
        assert window.actions_by_key[key].isEnabled(), key


def test_open_button_asks_for_a_file_like_ctrl_o(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    media = write_tone_wav(tmp_path / "asked.wav", 1.0, channels=1)
    window = shown_window(qtbot)
    asked: list[object] = []
    window.ask_open_path = lambda *args: asked.append(args) or media
    window.empty_state.widget.open_button.click()
    _wait_open(qtbot, window)
    assert len(asked) == 1 and Path(window.document.source.info.path) == media


def test_dropping_a_file_on_the_empty_state_opens_it(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    media = write_tone_wav(tmp_path / "dropped.wav", 1.0, channels=2)
    window = shown_window(qtbot)
    assert _drop(window.empty_state.widget, media) == (True, True)
    _wait_open(qtbot, window)
    assert Path(window.document.source.info.path) == media


def test_a_file_that_cannot_be_opened_is_not_taken(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.txt"
    notes.write_text("not audio")
    window = shown_window(qtbot)
    assert _drop(window.empty_state.widget, notes) == (False, False)
    assert not window.loading and window.document is None


def test_a_drop_on_the_timeline_asks_about_unsaved_changes(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = write_tone_wav(tmp_path / "first.wav", 1.0, channels=1)
    second = write_tone_wav(tmp_path / "second.wav", 1.0, channels=1)
    window = shown_window(qtbot)
    window.open_path(first)
    _wait_open(qtbot, window)
    project = window.project
    project.add_span(0.2, 0.6)
    asked: list[str] = []
    answers = iter([Answer.CANCEL, Answer.DISCARD])
    window.ask_unsaved = lambda _parent, name, doing: asked.append(doing) or next(answers)
    target = window.timeline.plot_widget.viewport()
    assert _drop(target, second) == (True, True)
    assert asked == ["opening second.wav"] and window.project is project  # cancelled
    _drop(target, second)
    _wait_open(qtbot, window)
    qtbot.waitUntil(lambda: window.project is not project, timeout=20_000)
    assert len(asked) == 2 and Path(window.document.source.info.path) == second


def test_the_drop_target_lights_up_while_a_file_is_dragged_over(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    media = write_tone_wav(tmp_path / "over.wav", 1.0, channels=1)
    window = shown_window(qtbot)
    empty = window.empty_state.widget
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(media))])
    enter = QDragEnterEvent(
        empty.rect().center(),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier(0),
    )
    QApplication.sendEvent(empty, enter)
    assert enter.isAccepted() and "#ffd250" in empty.styleSheet()
    QApplication.sendEvent(empty, QDragLeaveEvent())
    assert "#ffd250" not in empty.styleSheet() and window.document is None


def test_while_the_first_file_loads_it_says_opening_not_no_recording(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    empty = window.empty_state.widget
    window.load(sample_path())  # what launch does; the load runs off the GUI thread
    assert empty.isVisible() and empty.title.text() == f"Opening {sample_path().name}…"
    assert not empty.open_button.isVisible()
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert not empty.isVisible() and window.timeline.isVisible()


def test_a_first_file_that_fails_to_load_offers_open_again(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    window = shown_window(qtbot)
    window.load(bad)
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    empty = window.empty_state.widget
    assert window.last_error is not None
    assert empty.title.text() == "No recording open" and empty.open_button.isVisible()
