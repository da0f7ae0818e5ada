"""Dropping files on a window that already has one open: audio, video and projects open in its
place wherever on the window they land; anything else is refused with a message and the open
file stays. (The empty window's drop target: test_empty_state.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from timeline_helpers import write_tone_wav
from video_helpers import make_video
from window_helpers import open_in_window

from isolde.ui.shell.main_window import MainWindow

pytest.importorskip("pytestqt")

SIZE = (1280, 800)


def _drop(target: QWidget, *paths: Path) -> tuple[bool, bool]:
    """Drag `paths` over `target` and drop them as the window system does: (entered, dropped).
    Sent to the widget under the pointer; Qt passes what it does not take to its parents."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    where = target.rect().center()
    copy, left, none = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0)
    enter = QDragEnterEvent(where, copy, data, left, none)
    QApplication.sendEvent(target, enter)
    drop = QDropEvent(QPointF(where), copy, data, left, none)
    if enter.isAccepted():
        QApplication.sendEvent(target, drop)
    return enter.isAccepted(), drop.isAccepted()


def _opened(qtbot, window: MainWindow, path: Path) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: (
            not window.loading
            and window.document is not None
            and Path(window.document.source.info.path) == path
        ),
        timeout=20_000,
    )
    assert window.last_error is None, window.last_error


def test_audio_video_and_project_drops_replace_the_open_file(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = write_tone_wav(tmp_path / "first.wav", 1.0, channels=1)
    second = write_tone_wav(tmp_path / "second.wav", 1.0, channels=2)
    video = make_video(tmp_path / "scene.mp4", seconds=1.0).path
    window = open_in_window(qtbot, first, SIZE)

    # A WAV on the marks list (a dock, not the timeline).
    assert _drop(window.spans_panel, second) == (True, True)
    _opened(qtbot, window, second)
    # A project saved for it, with a mark, dropped on the timeline while a WAV is open.
    window.project.add_span(0.2, 0.4, include=False)
    saved = window.project.save(tmp_path / "talk.isolde")
    _drop(window.timeline.plot_widget.viewport(), first)
    _opened(qtbot, window, first)
    assert _drop(window.timeline.plot_widget.viewport(), saved) == (True, True)
    _opened(qtbot, window, second)
    assert window.project.path == saved
    assert [s.include for s in window.project.state.spans] == [False]
    # An MP4 on the timeline: its sound on the timeline, its picture in the video dock.
    assert _drop(window.timeline.plot_widget.viewport(), video) == (True, True)
    _opened(qtbot, window, video)
    assert window.document.video is not None and window.video.dock.isVisible()
    # And a WAV dropped on the picture replaces the video.
    assert _drop(window.video.viewer, first) == (True, True)
    _opened(qtbot, window, first)
    assert window.document.video is None


def test_an_unsupported_file_is_refused_with_a_message(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    media = write_tone_wav(tmp_path / "talk.wav", 1.0, channels=1)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a recording")
    window = open_in_window(qtbot, media, SIZE)
    document = window.document
    assert _drop(window.timeline.plot_widget.viewport(), notes) == (False, False)
    message = window.statusBar().currentMessage()
    assert "cannot open notes.txt" in message and "audio or video" in message, message
    assert window.document is document and not window.loading


def test_the_first_openable_file_of_several_is_taken(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    media = write_tone_wav(tmp_path / "talk.wav", 1.0, channels=1)
    other = write_tone_wav(tmp_path / "other.wav", 1.0, channels=1)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a recording")
    window = open_in_window(qtbot, media, SIZE)
    assert _drop(window.spans_panel, notes, other) == (True, True)
    _opened(qtbot, window, other)


def test_a_damaged_media_file_is_reported_and_the_open_file_stays(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    media = write_tone_wav(tmp_path / "talk.wav", 1.0, channels=1)
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"\0" * 2048)
    window = open_in_window(qtbot, media, SIZE)
    document = window.document
    assert _drop(window.timeline.plot_widget.viewport(), fake) == (True, True)
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert window.last_error is not None and "fake.mp4" in window.last_error
    assert window.banner.isVisible() and window.document is document
