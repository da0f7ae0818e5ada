""" "What the model will see": fal's polarity (black = target), only the objects sent, the
invert switch as one undo step through the project, blending, and screenshots."""

from __future__ import annotations

import numpy as np
import pytest
from video_helpers import MadeVideo, make_video, shown_pixels, video_window
from window_helpers import save_screenshot

from isolde.core.masks import MaskKeyframe, MaskShape
from isolde.ui.shell.main_window import MainWindow


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> MadeVideo:
    folder = tmp_path_factory.mktemp("preview")
    return make_video(folder / "scene.mp4", size=(320, 240), fps=25, seconds=2)


def _rect(frame: int, x0: float, y0: float, x1: float, y1: float) -> MaskKeyframe:
    return MaskKeyframe(frame, (MaskShape("rect", ((x0, y0), (x1, y1))),))


def _masked_window(qtbot, scene: MadeVideo) -> MainWindow:  # type: ignore[no-untyped-def]
    window = video_window(qtbot, scene.path)
    project = window.project
    project.set_provider("fal", {})
    dog = project.add_mask("dog")
    project.put_keyframe(dog, _rect(0, 40, 30, 120, 90))
    cat = project.add_mask("cat")
    project.put_keyframe(cat, _rect(0, 200, 150, 300, 220))
    project.update_mask(cat, send=False)  # drawn, but not part of what is sent
    qtbot.waitUntil(lambda: window.video.viewer.current_frame == 0, timeout=10_000)
    return window


def _show_preview(qtbot, window: MainWindow, *, blend: bool) -> np.ndarray:  # type: ignore[no-untyped-def]
    viewer = window.video.viewer
    viewer.preview.blend.setChecked(blend)
    if not viewer.preview.active:
        viewer.preview.toggle.click()
    qtbot.waitUntil(lambda: viewer.mask_frame == 0 and viewer.preview.active, timeout=10_000)
    return shown_pixels(window)


def test_fal_sees_black_for_the_target_and_invert_flips_it_in_one_undo_step(qtbot, scene) -> None:  # type: ignore[no-untyped-def]
    window = _masked_window(qtbot, scene)
    project, preview = window.project, window.video.viewer.preview
    grey = _show_preview(qtbot, window, blend=False)[..., 0]
    assert set(np.unique(grey)) == {0, 255}  # exactly binary
    assert (grey[30:90, 40:120] == 0).all()  # the dog: black, the target for fal
    assert (grey[150:220, 200:300] == 255).all()  # the cat is not sent: background
    assert (grey[:25] == 255).all() and int((grey == 0).sum()) == 80 * 60
    assert "fal: black = target, white = background" in preview.note.text()

    before = project.history.undo_label
    preview.invert.click()
    assert project.state.mask_invert is True
    assert project.history.undo_label == "Invert mask"
    flipped = shown_pixels(window)[..., 0]
    assert (flipped == 255 - grey).all()
    assert "inverted" in preview.note.text()

    project.undo()  # one step takes the switch and the picture back
    assert project.state.mask_invert is False and not preview.invert.isChecked()
    assert project.history.undo_label == before
    assert (shown_pixels(window)[..., 0] == grey).all()
    project.redo()
    assert preview.invert.isChecked() and (shown_pixels(window)[..., 0] == flipped).all()


def test_blended_preview_keeps_the_picture_visible_and_the_switch_goes_back(qtbot, scene) -> None:  # type: ignore[no-untyped-def]
    window = _masked_window(qtbot, scene)
    viewer = window.video.viewer
    picture = np.asarray(viewer.current_image(), dtype=np.float32)
    blended = _show_preview(qtbot, window, blend=True).astype(np.float32)
    target = blended[30:90, 40:120]
    assert np.allclose(target, picture[30:90, 40:120] * 0.4, atol=1.5)
    background = blended[:25, 160:]
    assert np.allclose(background, picture[:25, 160:] * 0.4 + 153, atol=1.5)
    viewer.preview.toggle.click()  # off: the picture again, with the objects' overlay
    qtbot.waitUntil(lambda: not viewer.preview.active and viewer.mask_frame == 0, timeout=5_000)
    assert (shown_pixels(window) == viewer.current_image()).all()
    assert viewer.view.has_overlay


def test_an_engine_without_masks_is_previewed_as_fal(qtbot, scene) -> None:  # type: ignore[no-untyped-def]
    window = _masked_window(qtbot, scene)
    window.project.set_provider("local", {})
    grey = _show_preview(qtbot, window, blend=False)[..., 0]
    assert (grey[30:90, 40:120] == 0).all()
    assert "local takes no mask video" in window.video.viewer.preview.note.text()


@pytest.mark.parametrize(
    ("size", "name"),
    [((1280, 800), "video_preview.png"), ((1920, 1200), "video_preview_large.png")],
)
def test_screenshot_of_the_preview(qtbot, scene, size, name) -> None:  # type: ignore[no-untyped-def]
    window = video_window(qtbot, scene.path, size=size)
    project = window.project
    project.set_provider("fal", {})
    dog = project.add_mask("dog")
    project.put_keyframe(dog, MaskKeyframe(0, (MaskShape("ellipse", ((40, 40), (150, 130))),)))
    project.put_keyframe(dog, MaskKeyframe(40, (MaskShape("ellipse", ((170, 110), (300, 220))),)))
    viewer = window.video.viewer
    k = 20
    window.seek(scene.times[k] + 0.02 - (scene.times[0] - window.document.video.reader.times[0]))
    qtbot.waitUntil(lambda: viewer.current_frame == k, timeout=10_000)
    viewer.preview.toggle.click()
    qtbot.waitUntil(lambda: viewer.mask_frame == k, timeout=10_000)
    assert save_screenshot(window, name).stat().st_size > 10_000
