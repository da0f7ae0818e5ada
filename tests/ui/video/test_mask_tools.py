"""Painting masks on the picture with the mouse: every tool makes the right keyframe shape, a
stroke or shape is one undo step, and painting where the mask is only tracked or interpolated
makes that frame a keyframe that starts from what was shown."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mask_helpers import Hand, go_to_frame, make_video, open_video_window, settle, tools_of
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsPathItem

from isolde.core.masks import MaskKeyframe, MaskShape, TrackBox
from isolde.ui.video.mask_state import MaskTool
from isolde.video.mask_raster import rasterize
from isolde.video.mask_timeline import MaskTimeline

W, H = 160, 120


@pytest.fixture
def window(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    made = make_video(tmp_path / "clip.mp4", size=(W, H), fps=25, seconds=1.0)
    return open_video_window(qtbot, made.path)


def _object(window):  # type: ignore[no-untyped-def]
    tools = tools_of(window)
    mask_id = tools.panel.add_object()
    assert mask_id is not None and tools.state.object_id == mask_id
    return tools, mask_id


def _keyframe(window, mask_id: str, frame: int = 0) -> MaskKeyframe:  # type: ignore[no-untyped-def]
    kf = window.project.state.mask(mask_id).keyframe(frame)
    assert kf is not None, f"no keyframe on frame {frame}"
    return kf


def _near(points, expected, tol: float = 1.0) -> bool:  # type: ignore[no-untyped-def]
    if len(points) != len(expected):
        return False
    pairs = zip(points, expected, strict=True)
    return all(abs(p[0] - q[0]) <= tol and abs(p[1] - q[1]) <= tol for p, q in pairs)


@pytest.mark.parametrize("tool", [MaskTool.RECT, MaskTool.ELLIPSE])
def test_a_rectangle_or_ellipse_drag_is_one_shape_and_one_undo_step(window, tool) -> None:  # type: ignore[no-untyped-def]
    tools, mask_id = _object(window)
    tools.state.set_tool(tool)
    steps = len(window.project.history)
    Hand(window).drag([(20, 30), (50, 60), (80, 90)])
    (shape,) = _keyframe(window, mask_id).shapes
    assert shape.kind == tool.value and not shape.erase
    assert _near(shape.points, [(20, 30), (80, 90)])
    assert len(window.project.history) == steps + 1
    assert "Object 1" in window.project.history.undo_label
    mask = rasterize((shape,), W, H)
    assert mask[60, 50] and not mask[10, 10] and not mask[100, 100]
    window.undo_action.trigger()
    assert window.project.state.mask(mask_id).keyframes == ()


def test_a_click_without_a_drag_adds_nothing(window) -> None:  # type: ignore[no-untyped-def]
    _, mask_id = _object(window)
    steps = len(window.project.history)
    Hand(window).click(40, 40)
    assert window.project.state.mask(mask_id).keyframes == ()
    assert len(window.project.history) == steps


def test_a_polygon_closes_with_a_double_click_or_enter_and_escape_drops_it(window) -> None:  # type: ignore[no-untyped-def]
    tools, mask_id = _object(window)
    tools.state.set_tool(MaskTool.POLYGON)
    hand = Hand(window)
    steps = len(window.project.history)
    for x, y in [(20, 20), (100, 25), (110, 90)]:
        hand.move(x, y, held=False)
        hand.click(x, y)
    hand.move(30, 95, held=False)
    assert window.project.state.mask(mask_id).keyframes == ()  # nothing until it is closed
    hand.double_click(30, 95)
    (shape,) = _keyframe(window, mask_id).shapes
    assert shape.kind == "polygon"
    assert _near(shape.points, [(20, 20), (100, 25), (110, 90), (30, 95)])
    assert len(window.project.history) == steps + 1

    for x, y in [(5, 5), (40, 5), (40, 40)]:
        hand.click(x, y)
    hand.move(60, 60, held=False)  # the mouse is elsewhere: not a corner
    hand.key(Qt.Key.Key_Return)
    shapes = _keyframe(window, mask_id).shapes
    assert len(shapes) == 2 and _near(shapes[1].points, [(5, 5), (40, 5), (40, 40)])
    assert len(window.project.history) == steps + 2

    for x, y in [(120, 10), (150, 10), (150, 40)]:
        hand.click(x, y)
    hand.key(Qt.Key.Key_Escape)
    assert len(_keyframe(window, mask_id).shapes) == 2
    assert len(window.project.history) == steps + 2


def test_a_brush_stroke_is_one_shape_of_the_chosen_size_and_the_eraser_cuts_it(window) -> None:  # type: ignore[no-untyped-def]
    tools, mask_id = _object(window)
    tools.state.set_tool(MaskTool.BRUSH)
    tools.panel.size.setValue(12)
    assert tools.state.size == 12
    hand = Hand(window)
    steps = len(window.project.history)
    hand.drag([(20, 60), (40, 60), (60, 60), (80, 60), (100, 60), (120, 60)])
    (stroke,) = _keyframe(window, mask_id).shapes
    assert stroke.kind == "stroke" and stroke.size == 12 and not stroke.erase
    assert len(stroke.points) >= 2
    assert len(window.project.history) == steps + 1
    mask = rasterize((stroke,), W, H)
    assert mask[60, 20:121].all() and mask[55, 70] and not mask[40, 70]

    tools.state.set_tool(MaskTool.ERASER)
    tools.panel.size.setValue(20)
    hand.drag([(70, 30), (70, 60), (70, 90)])
    shapes = _keyframe(window, mask_id).shapes
    assert len(shapes) == 2 and shapes[1].erase and shapes[1].size == 20
    mask = rasterize(shapes, W, H)
    assert not mask[60, 70] and mask[60, 30] and mask[60, 110]  # a gap in the middle
    assert len(window.project.history) == steps + 2
    window.undo_action.trigger()
    assert len(_keyframe(window, mask_id).shapes) == 1


def test_the_shape_is_drawn_while_dragging_and_the_overlay_shows_it_after(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    tools, mask_id = _object(window)
    tools.state.set_tool(MaskTool.RECT)
    hand = Hand(window)
    view = window.video.viewer.view

    def previews() -> list[QGraphicsPathItem]:
        return [
            i
            for i in view.tool_layer.childItems()
            if isinstance(i, QGraphicsPathItem) and not i.path().isEmpty()
        ]

    hand.press(30, 30)
    hand.move(70, 80)
    assert len(previews()) == 1 and tools.handler.busy
    rect = previews()[0].path().boundingRect()
    assert abs(rect.width() - 40) <= 1 and abs(rect.height() - 50) <= 1
    assert window.project.state.mask(mask_id).keyframes == ()  # the project waits for the end
    hand.release(70, 80)
    assert previews() == [] and not tools.handler.busy
    settle(qtbot, window)
    qtbot.waitUntil(lambda: view.has_overlay, timeout=5000)


def test_painting_on_a_tracked_frame_starts_from_the_mask_shown_there(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    tools, mask_id = _object(window)
    project = window.project
    project.put_keyframe(mask_id, MaskKeyframe(0, (MaskShape("rect", ((10, 10), (40, 50))),)))
    project.set_track(mask_id, [TrackBox(10, 60.0, 40.0, 30.0, 40.0, anchor=0)])
    go_to_frame(qtbot, window, 10)
    obj = project.state.mask(mask_id)
    shown = MaskTimeline(W, H).mask_at(obj, 10)
    assert shown[60, 75] and not shown[20, 20]  # the box moved with the track
    tools.state.set_tool(MaskTool.BRUSH)
    tools.panel.size.setValue(6)
    steps = len(project.history)
    Hand(window).drag([(120, 100), (130, 100), (140, 100)])
    kf = _keyframe(window, mask_id, 10)
    assert [s.kind for s in kf.shapes] == ["bitmap", "stroke"]
    assert np.array_equal(rasterize(kf.shapes[:1], W, H), shown)
    painted = rasterize(kf.shapes, W, H)
    assert painted[60, 75] and painted[100, 130] and not painted[20, 20]
    assert len(project.history) == steps + 1
    assert project.state.mask(mask_id).keyframe_frames == (0, 10)
    assert tools.panel.delete_keyframe.isEnabled()  # the frame on screen is a keyframe now
    project.undo()
    assert project.state.mask(mask_id).keyframe_frames == (0,)


def test_without_an_object_the_picture_pans_and_the_status_says_what_to_do(window) -> None:  # type: ignore[no-untyped-def]
    tools = tools_of(window)
    tools.state.set_tool(MaskTool.RECT)
    steps = len(window.project.history)
    Hand(window).drag([(20, 20), (80, 80)])
    assert len(window.project.history) == steps
    assert "Add a mask object" in window.statusBar().currentMessage()
