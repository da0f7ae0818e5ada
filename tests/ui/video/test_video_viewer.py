"""The Video dock: the frame at the playhead (read back from the picture's own frame number),
scrubbing, frame stepping, playing and looping in sync, rotated/odd/VFR files, the two
messages, resizing, fit and 100 %, and a screenshot with a mask overlay."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from video_helpers import (
    MadeVideo,
    make_corrupt_video,
    make_video,
    shown_number,
    shown_pixels,
    video_window,
    wait_frame,
)
from window_helpers import save_screenshot

from isolde.audio.pull_backend import PullBackend
from isolde.core.masks import MaskKeyframe, MaskShape
from isolde.ui.shell.editor_actions import shortcuts_table
from isolde.ui.shell.main_window import MainWindow


@pytest.fixture(scope="module")
def numbered(tmp_path_factory: pytest.TempPathFactory) -> MadeVideo:
    folder = tmp_path_factory.mktemp("viewer")
    return make_video(folder / "numbered.mp4", size=(160, 120), fps=25, seconds=2, gop=12)


def _offset(made: MadeVideo, window: MainWindow) -> float:
    """Timeline t = the video's own pts − this (where the decoded sound starts)."""
    return made.times[0] - window.document.video.reader.times[0]


def _mid(made: MadeVideo, window: MainWindow, k: int) -> float:
    """A timeline time in the middle of frame k."""
    return (made.times[k] + made.times[k + 1]) / 2 - _offset(made, window)


def _frame_at(made: MadeVideo, window: MainWindow, t: float) -> int:
    """The frame on screen at timeline time t, from the file's own frame times."""
    offset = _offset(made, window)
    below = [i for i, m in enumerate(made.times) if m - offset <= t + 1e-9]
    return below[-1] if below else 0


def _play_for(backend: PullBackend, window: MainWindow, seconds: float) -> None:
    """Stand in for the sound card: pull `seconds` of audio in device-sized blocks."""
    player = window.transport.player
    for _ in range(int(seconds * backend.sample_rate / 256)):
        player.wait_buffered(1.0)
        backend.pull(256)


def test_opening_a_video_shows_the_frame_at_the_playhead(qtbot, numbered) -> None:  # type: ignore[no-untyped-def]
    window = video_window(qtbot, numbered.path)
    viewer = window.video.viewer
    assert window.video.dock.isVisible()
    wait_frame(qtbot, window, _frame_at(numbered, window, 0.0))
    assert shown_number(window) == _frame_at(numbered, window, 0.0)
    for k in (37, 5, 48, 6):  # ahead, back past keyframes, far ahead, the next one after a seek
        window.timeline.seek_requested.emit(_mid(numbered, window, k))  # a click on the ruler
        wait_frame(qtbot, window, k)
        assert shown_number(window) == k
    assert viewer.bar.frame_label.text().startswith("Frame 7/50 · ")


def test_frame_step_keys_move_the_playhead_by_exactly_one_frame(qtbot, numbered) -> None:  # type: ignore[no-untyped-def]
    window = video_window(qtbot, numbered.path)
    offset = _offset(numbered, window)
    window.seek(_mid(numbered, window, 10))
    wait_frame(qtbot, window, 10)
    QTest.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.timeline.playhead == pytest.approx(numbered.times[11] - offset, abs=1e-9)
    wait_frame(qtbot, window, 11)
    assert shown_number(window) == 11
    for _ in range(3):
        QTest.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    QTest.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.timeline.playhead == pytest.approx(numbered.times[13] - offset, abs=1e-9)
    wait_frame(qtbot, window, 13)
    assert shown_number(window) == 13
    window.seek(0.0)
    QTest.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # nothing before 0
    wait_frame(qtbot, window, 0)
    assert shown_number(window) == 0
    rows = dict((what, keys) for keys, what in shortcuts_table())
    assert rows["Previous video frame"] == "Alt+Left"
    assert rows["Next video frame"] == "Alt+Right"


def test_playing_and_looping_keep_the_picture_in_sync(qtbot, numbered) -> None:  # type: ignore[no-untyped-def]
    backend = PullBackend()
    window = video_window(qtbot, numbered.path, backend)
    viewer = window.video.viewer
    window.transport.play(0.0)
    seen = []
    for _ in range(5):
        _play_for(backend, window, 0.3)
        expected = _frame_at(numbered, window, window.transport.player.position)
        qtbot.waitUntil(lambda e=expected: viewer.current_frame == e, timeout=10_000)
        assert shown_number(window) == expected
        seen.append(expected)
    assert seen == sorted(seen) and seen[-1] >= 30  # it moved on with the sound
    window.transport.stop()
    window.edit_state.set_in(0.5)
    window.edit_state.set_out(0.9)
    window.actions_by_key["loop_mark"].trigger()
    _play_for(backend, window, 1.0)  # more than two passes round the loop
    t = window.transport.player.position
    assert 0.5 <= t <= 0.9
    expected = _frame_at(numbered, window, t)
    qtbot.waitUntil(lambda: viewer.current_frame == expected, timeout=10_000)
    assert shown_number(window) == expected
    window.transport.stop()


@pytest.mark.parametrize(
    ("options", "shown"),
    [
        ({"size": (160, 120), "rotation": 90}, (120, 160)),
        ({"size": (161, 121)}, (161, 121)),
        ({"size": (160, 120), "vfr": True}, (160, 120)),
    ],
    ids=["rotated", "odd", "vfr"],
)
def test_rotated_odd_and_vfr_videos_show_upright_at_their_size(  # type: ignore[no-untyped-def]
    qtbot, tmp_path, options, shown
) -> None:
    made = make_video(tmp_path / "v.mp4", fps=25, seconds=1, **options)
    window = video_window(qtbot, made.path)
    viewer = window.video.viewer
    for k in (0, 9, 17):
        window.seek(max(_mid(made, window, k), 0.0))
        wait_frame(qtbot, window, k)
        assert viewer.image_size == shown
        assert shown_pixels(window).shape == (shown[1], shown[0], 3)
        assert shown_number(window) == k  # None when the picture were not upright


def test_a_video_without_sound_opens_nothing_and_says_why(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    made = make_video(tmp_path / "silent.mp4", audio=False)
    window = video_window(qtbot, made.path, expect_error=True)
    assert window.document is None
    message = window.last_error or ""
    assert message.count("no sound track") == 1, message
    assert "Isolde isolates sounds; open a video with sound" in message
    assert window.banner.isVisibleTo(window)
    assert not window.video.dock.isVisibleTo(window)


def test_a_video_whose_picture_cannot_be_decoded_opens_its_sound(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "broken.mp4"
    make_corrupt_video(path)
    window = video_window(qtbot, path, expect_error=True)
    assert window.document is not None and window.document.video is None
    assert window.timeline.waveform.lanes == 2  # the sound is on the timeline
    message = window.last_error or ""
    assert message.startswith("The picture of broken.mp4 could not be read"), message
    assert message.count("could not be read") == 1
    viewer = window.video.viewer
    assert viewer.stack.currentWidget() is viewer.placeholder
    assert "could not be decoded" in viewer.placeholder.text()
    window.actions_by_key["frame_forward"].trigger()  # no picture: a status line, no crash
    assert "Open a video" in window.statusBar().currentMessage()


def test_the_dock_resizes_and_fit_and_100_percent_work(qtbot, numbered) -> None:  # type: ignore[no-untyped-def]
    window = video_window(qtbot, numbered.path)
    dock, viewer = window.video.dock, window.video.viewer
    view = viewer.view
    wait_frame(qtbot, window, 0)

    def fits() -> bool:
        w, h = 160 * view.zoom, 120 * view.zoom
        area = view.viewport().rect()
        return (
            w <= area.width() + 1
            and h <= area.height() + 1
            and (abs(w - area.width()) <= 1 or abs(h - area.height()) <= 1)
        )

    window.resizeDocks([dock], [360], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: abs(dock.width() - 360) <= 4, timeout=5_000)
    assert view.fitting and fits()
    small = view.zoom
    window.resizeDocks([dock], [700], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: abs(dock.width() - 700) <= 4, timeout=5_000)
    qtbot.waitUntil(lambda: view.zoom > small * 1.1, timeout=5_000)  # still fitting
    assert fits() and viewer.bar.fit_button.isChecked()
    viewer.bar.actual_button.click()
    assert view.zoom == 1.0 and not view.fitting and not viewer.bar.fit_button.isChecked()
    assert viewer.bar.zoom_label.text() == "100 %"
    viewer.bar.zoom_in_button.click()
    assert view.zoom == pytest.approx(1.25)
    viewer.bar.fit_button.click()
    assert view.fitting and fits() and viewer.bar.fit_button.isChecked()


def _ellipse_keyframe(frame: int, box: tuple[float, float, float, float]) -> MaskKeyframe:
    x0, y0, x1, y1 = box
    return MaskKeyframe(frame, (MaskShape("ellipse", ((x0, y0), (x1, y1))),))


@pytest.mark.parametrize(
    ("size", "name"),
    [((1280, 800), "video_viewer_mask.png"), ((1920, 1200), "video_viewer_mask_large.png")],
)
def test_screenshot_of_the_viewer_with_a_mask_overlay(qtbot, tmp_path, size, name) -> None:  # type: ignore[no-untyped-def]
    made = make_video(tmp_path / "scene.mp4", size=(320, 240), fps=25, seconds=2)
    window = video_window(qtbot, made.path, size=size)
    viewer, project = window.video.viewer, window.project
    wait_frame(qtbot, window, 0)
    dog = project.add_mask("dog")
    project.put_keyframe(dog, _ellipse_keyframe(0, (40, 40, 150, 130)))
    project.put_keyframe(dog, _ellipse_keyframe(40, (170, 110, 300, 220)))
    window.seek(_mid(made, window, 20))
    wait_frame(qtbot, window, 20)
    qtbot.waitUntil(lambda: viewer.mask_frame == 20, timeout=10_000)
    overlay = viewer.view._overlay.pixmap().toImage()
    centre = overlay.pixelColor(170, 125)  # halfway between the two keyframes' centres
    colour = project.state.masks[0].color
    assert centre.name() == colour and 100 <= centre.alpha() <= 130
    assert overlay.pixelColor(5, 5).alpha() == 0
    assert save_screenshot(window, name).stat().st_size > 10_000
    project.undo()
    project.undo()
    project.undo()  # no mask left: the overlay goes
    qtbot.waitUntil(lambda: not viewer.view.has_overlay, timeout=5_000)
    assert np.asarray(shown_pixels(window)).shape == (240, 320, 3)


def test_a_video_inside_a_project_opens_with_its_picture(qtbot, numbered, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window = video_window(qtbot, numbered.path)
    saved = window.project.save(tmp_path / "scene.isolde")
    window.close()
    again = video_window(qtbot, saved)
    assert again.document.video is not None
    wait_frame(qtbot, again, 0)
    assert shown_number(again) == 0


def test_a_recording_hides_the_dock(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from job_helpers import noise_wav

    window = video_window(qtbot, noise_wav(tmp_path / "noise.wav"))
    assert window.document.video is None and not window.video.dock.isVisibleTo(window)
    assert window.video.viewer.stack.currentWidget() is window.video.viewer.placeholder


class _Recorder:
    """A ToolHandler that notes what it gets; `take` says whether it takes a press."""

    def __init__(self, take: bool) -> None:
        self.take = take
        self.events: list[tuple[str, float, float, bool, bool]] = []
        self.cancelled = 0

    def _note(self, kind: str, e) -> None:  # type: ignore[no-untyped-def]
        shift = bool(e.modifiers & Qt.KeyboardModifier.ShiftModifier)
        self.events.append((kind, e.x, e.y, e.inside, shift))

    def press(self, e) -> bool:  # type: ignore[no-untyped-def]
        self._note("press", e)
        return self.take

    def move(self, e) -> None:  # type: ignore[no-untyped-def]
        self._note("move", e)

    def release(self, e) -> None:  # type: ignore[no-untyped-def]
        self._note("release", e)

    def double_click(self, e) -> None:  # type: ignore[no-untyped-def]
        self._note("double", e)

    def cancel(self) -> None:
        self.cancelled += 1


def test_the_tool_handler_gets_image_coordinates_and_a_refused_press_pans(qtbot, numbered) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPoint, QPointF

    from isolde.ui.video.frame_view import ToolHandler

    window = video_window(qtbot, numbered.path)
    view = window.video.viewer.view
    wait_frame(qtbot, window, 0)
    view.set_zoom(4.0)
    view.centerOn(80, 60)
    taker = _Recorder(take=True)
    assert isinstance(taker, ToolHandler)
    view.set_tool_handler(taker)
    port = view.viewport()
    at = view.mapFromScene(QPointF(70.5, 50.5))
    to = view.mapFromScene(QPointF(90.5, 55.5))
    shift = Qt.KeyboardModifier.ShiftModifier
    QTest.mousePress(port, Qt.MouseButton.LeftButton, shift, at)
    QTest.mouseMove(port, to)
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, shift, to)
    kinds = [e[0] for e in taker.events]
    assert kinds[0] == "press" and kinds[-1] == "release" and "move" in kinds
    _, x, y, inside, held_shift = taker.events[0]
    assert abs(x - 70.5) <= 0.25 and abs(y - 50.5) <= 0.25 and inside and held_shift
    _, x, y, *_ = taker.events[-1]
    assert abs(x - 90.5) <= 0.25 and abs(y - 55.5) <= 0.25

    refuser = _Recorder(take=False)
    view.set_tool_handler(refuser)
    assert taker.cancelled == 1  # replacing a handler cancels what it had going
    bar = view.horizontalScrollBar()
    before = bar.value()
    QTest.mousePress(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    QTest.mouseMove(port, at - QPoint(40, 0))
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    assert [e[0] for e in refuser.events] == ["press"]  # no move or release: the view panned
    assert bar.value() == before + 40
    view.set_tool_handler(None)
    assert refuser.cancelled == 1
