"""The Mask panel: objects added, renamed in place, chosen, coloured and deleted through the
project; tracking a moving box in the background (progress, cancel, one undo step); keyframe
ticks on the timeline; the assist's price shown before it is sent, and its reason when off."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mask_helpers import (
    Hand,
    go_to_frame,
    make_moving_box_video,
    make_video,
    open_video_window,
    settle,
    tools_of,
)
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from tests.fakecloud.testing import start_cloud
from window_helpers import save_screenshot

from isolde.core.masks import MASK_COLORS, MaskKeyframe, MaskShape
from isolde.ui.video.mask_assist import AssistAsk
from isolde.ui.video.mask_state import MaskTool
from isolde.video.mask_timeline import MaskTimeline

W, H = 160, 120


@pytest.fixture
def window(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    made = make_video(tmp_path / "clip.mp4", size=(W, H), fps=25, seconds=1.0)
    return open_video_window(qtbot, made.path)


def _rect(frame: int, x: float, y: float, w: float, h: float) -> MaskKeyframe:
    return MaskKeyframe(frame, (MaskShape("rect", ((x, y), (x + w, y + h))),))


def test_objects_are_added_renamed_chosen_coloured_and_deleted_through_the_project(
    qtbot, window
) -> None:  # type: ignore[no-untyped-def]
    tools = tools_of(window)
    panel, project = tools.panel, window.project
    assert tools.dock.isVisible()
    panel.add_button.click()
    panel.add_button.click()
    assert [m.name for m in project.state.masks] == ["Object 1", "Object 2"]
    assert panel.objects.count() == 2
    assert tools.state.object_id == project.state.masks[1].id  # the new one is being edited
    assert tools.state.tool is MaskTool.RECT  # ready to draw it

    # rename in place: the editor opens on the row, the user types and presses Enter
    item = panel.objects.item(0)
    panel.objects.setCurrentItem(item)
    assert tools.state.object_id == project.state.masks[0].id
    panel.objects.editItem(item)
    editor = panel.objects.viewport().findChild(QLineEdit)
    assert editor is not None
    editor.selectAll()
    QTest.keyClicks(editor, "dog")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: project.state.masks[0].name == "dog", timeout=2000)
    assert project.history.undo_label == "Rename mask"
    qtbot.waitUntil(lambda: panel.objects.item(0).text() == "dog", timeout=2000)

    # "send": the checkbox chooses the object for the request
    panel.objects.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert project.state.masks[0].send is False
    assert project.history.undo_label == "Don't send 'dog'"
    window.undo_action.trigger()
    assert project.state.masks[0].send is True
    assert panel.objects.item(0).checkState() == Qt.CheckState.Checked

    # colour from the menu of swatches
    action = next(a for a in panel.colour_button.menu().actions() if a.text() == MASK_COLORS[4])
    action.trigger()
    assert project.state.masks[0].color == MASK_COLORS[4]

    # refine
    panel.refine.click()
    assert project.state.masks[0].refine is True

    # delete
    panel.delete_button.click()
    assert [m.name for m in project.state.masks] == ["Object 2"]
    assert panel.objects.count() == 1
    assert tools.state.object_id == project.state.masks[0].id
    window.undo_action.trigger()
    assert [m.name for m in project.state.masks] == ["dog", "Object 2"]


def test_keyframe_ticks_follow_the_selected_object(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    tools = tools_of(window)
    ticks = window.timeline.keyframes
    reader = window.video.viewer.video.reader
    first = tools.panel.add_object()
    tools.state.set_tool(MaskTool.RECT)
    Hand(window).drag([(10, 10), (40, 40)])
    go_to_frame(qtbot, window, 12)
    Hand(window).drag([(50, 50), (90, 90)])
    assert ticks.times == pytest.approx((max(reader.time_of(0), 0.0), reader.time_of(12)))
    assert ticks.colour.name() == window.project.state.mask(first).color
    second = tools.panel.add_object()
    assert ticks.times == ()  # the new object has no keyframes yet
    window.project.put_keyframe(second, _rect(20, 5, 5, 20, 20))
    assert ticks.times == pytest.approx((reader.time_of(20),))
    tools.state.set_object(first)
    assert len(ticks.times) == 2
    window.project.remove_mask(first)
    qtbot.waitUntil(lambda: tools.state.object_id == second, timeout=2000)
    assert len(ticks.times) == 1


@pytest.fixture
def box_window(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "box.mp4"
    boxes = make_moving_box_video(path, size=(320, 240), frames=40)
    return open_video_window(qtbot, path), boxes


def test_tracking_runs_in_the_background_and_lands_as_one_undo_step(qtbot, box_window) -> None:  # type: ignore[no-untyped-def]
    window, truth = box_window
    tools = tools_of(window)
    panel, project = tools.panel, window.project
    mask_id = panel.add_object()
    assert not panel.track_forward.isEnabled()  # no keyframe on this frame yet
    x, y, w, h = truth[0]
    project.put_keyframe(mask_id, _rect(0, x, y, w, h))
    assert panel.track_forward.isEnabled()
    steps = len(project.history)
    seen: list[float] = []
    tools.task.progressed.connect(lambda f, _text: seen.append(f))
    panel.track_forward.click()
    assert tools.task.running and panel.progress.isVisible() and panel.cancel_button.isVisible()
    qtbot.waitUntil(lambda: not tools.task.running, timeout=30_000)
    assert not panel.progress.isVisible()
    obj = project.state.mask(mask_id)
    assert len(obj.track) == len(truth) - 1
    assert {b.anchor for b in obj.track} == {0}
    last = obj.track[-1]
    tx, ty, _, _ = truth[-1]
    assert abs(last.x - tx) <= 4 and abs(last.y - ty) <= 4
    assert seen  # progress reached the GUI thread
    assert len(project.history) == steps + 1 and project.history.undo_label == "Track 'Object 1'"
    assert "Tracked 'Object 1' on 39 frames" in window.statusBar().currentMessage()
    # the tracked frame shows the box moved there
    go_to_frame(qtbot, window, 30)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: window.video.viewer.view.has_overlay, timeout=5000)
    window.undo_action.trigger()
    assert project.state.mask(mask_id).track == ()


def test_cancelling_a_track_changes_nothing(qtbot, box_window) -> None:  # type: ignore[no-untyped-def]
    window, truth = box_window
    tools = tools_of(window)
    project = window.project
    mask_id = tools.panel.add_object()
    x, y, w, h = truth[-1]
    project.put_keyframe(mask_id, _rect(39, x, y, w, h))
    go_to_frame(qtbot, window, 39)
    steps = len(project.history)
    assert tools.track(-1)
    tools.panel.cancel_button.click()
    qtbot.waitUntil(lambda: not tools.task.running, timeout=30_000)
    assert project.state.mask(mask_id).track == ()
    assert len(project.history) == steps
    assert "cancelled" in tools.panel.task_label.text()
    assert not tools.panel.cancel_button.isVisible()


def test_tracking_both_ways_stops_at_the_neighbouring_keyframes(qtbot, box_window) -> None:  # type: ignore[no-untyped-def]
    window, truth = box_window
    tools = tools_of(window)
    project = window.project
    mask_id = tools.panel.add_object()
    for frame in (5, 20, 35):
        project.put_keyframe(mask_id, _rect(frame, *truth[frame]))
    go_to_frame(qtbot, window, 20)
    tools.panel.track_both.click()
    qtbot.waitUntil(lambda: not tools.task.running, timeout=30_000)
    obj = project.state.mask(mask_id)
    assert [b.frame for b in obj.track] == [*range(6, 20), *range(21, 35)]
    for box in obj.track:
        tx, ty, _, _ = truth[box.frame]
        assert box.anchor == 20 and abs(box.x - tx) <= 4 and abs(box.y - ty) <= 4


def test_the_assist_is_off_with_a_reason_without_a_fal_key(qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("FAL_KEY", raising=False)
    made = make_video(tmp_path / "clip.mp4", size=(W, H), fps=25, seconds=1.0)
    window = open_video_window(qtbot, made.path)
    panel = tools_of(window).panel
    assert not panel.assist_button.isEnabled()
    assert "FAL_KEY" in panel.assist_note.text()
    assert "\n" not in panel.assist_note.text()
    QApplication.processEvents()


@pytest.mark.parametrize("size", [(1280, 800), (1680, 1050)])
def test_screenshot_of_the_viewer_with_the_mask_panel_and_a_painted_mask(
    qtbot, tmp_path: Path, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "box.mp4"
    truth = make_moving_box_video(path, size=(320, 240), frames=40)
    window = open_video_window(qtbot, path, size=size)
    tools = tools_of(window)
    dog = tools.panel.add_object()
    window.project.rename_mask(dog, "dog")
    x, y, w, h = truth[0]
    tools.state.set_tool(MaskTool.ELLIPSE)
    Hand(window).drag([(x - 4, y - 4), (x + w + 4, y + h + 4)])
    tools.panel.track_forward.click()
    qtbot.waitUntil(lambda: not tools.task.running, timeout=30_000)
    go_to_frame(qtbot, window, 30)  # a correction on a tracked frame makes a keyframe
    tools.state.set_tool(MaskTool.BRUSH)
    tools.panel.size.setValue(10)
    x, y, w, h = truth[30]
    Hand(window).drag([(x + w, y + h), (x + w + 8, y + h + 6)])
    go_to_frame(qtbot, window, 12)  # tracked
    tools.state.set_object(window.project.add_mask("bird"))
    tools.panel.size.setValue(14)
    Hand(window).drag([(200, 40), (230, 60), (260, 50), (290, 70)])
    tools.state.set_object(dog)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: window.video.viewer.view.has_overlay, timeout=5000)
    QApplication.processEvents()
    save_screenshot(window, f"mask_tools_{size[0]}x{size[1]}.png")
    assert tools.dock.isVisible() and tools.dock.width() > 200 and tools.dock.height() > 200
    assert len(window.timeline.keyframes.times) == 2


def _bright_square(index: int, width: int, height: int) -> np.ndarray:
    img = np.full((height, width, 3), 30, np.uint8)
    x = 20 + 3 * index
    img[40:80, x : x + 40] = 240
    return img


def test_the_assist_shows_its_price_first_and_adds_an_editable_object(
    qtbot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    cloud = start_cloud(monkeypatch)
    try:
        made = make_video(
            tmp_path / "square.mp4", size=(W, H), fps=25, frames=20, pattern=_bright_square
        )
        window = open_video_window(qtbot, made.path)
        tools = tools_of(window)
        panel, project = tools.panel, window.project
        assert panel.assist_button.isEnabled(), panel.assist_note.text()
        asked: list[str] = []
        tools.assist.prompt = lambda _selected: AssistAsk("the square")
        tools.assist.confirm = lambda _title, text: asked.append(text) or False
        panel.assist_button.click()
        assert asked and "$0.010" in asked[0] and "square.mp4" in asked[0]
        assert cloud.hits_to("sam-3") == [] and project.state.masks == ()  # "no" sends nothing

        tools.assist.confirm = lambda _title, _text: True
        steps = len(project.history)
        panel.assist_button.click()
        assert tools.task.running and panel.cancel_button.isVisible()
        qtbot.waitUntil(lambda: not tools.task.running, timeout=30_000)
        (obj,) = project.state.masks
        assert obj.name == "the square" and obj.keyframes
        assert {kf.origin for kf in obj.keyframes} == {"assist"}
        assert len(project.history) == steps + 1
        assert project.history.undo_label == "Assist 'the square'"
        assert tools.state.object_id == obj.id
        mask = MaskTimeline(W, H).mask_at(obj, 10)
        assert mask[60, 70] and not mask[10, 10]  # the square on frame 10 is at x 50–90
        window.undo_action.trigger()
        assert project.state.masks == ()
    finally:
        cloud.stop()
