"""Separate with a chosen mask: with fal the editor sends the video and a mask video rendered in
fal's polarity (black = the object) from the job's own folder; the offline engine says in one
line that it cannot separate by picture and sends what it can."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from job_helpers import choose_engine, stop_jobs, wait_state
from mask_helpers import make_video, open_video_window, settle, tools_of
from PySide6.QtWidgets import QApplication
from tests.fakecloud.testing import start_cloud
from window_helpers import save_screenshot

from isolde.audio.media_ref import describe_media
from isolde.core.masks import MaskKeyframe, MaskShape
from isolde.core.project import Project
from isolde.jobs.preparation import MASK_FILE, MaskVideoSpec, write_mask_spec
from isolde.jobs.record import JobRecord
from isolde.jobs.store import JobStore
from isolde.providers.base import Request, RequestKind
from isolde.ui.jobs.job_session import jobs_dir_for
from isolde.ui.jobs.request_plan import SEPARATE

W, H = 160, 120
BOX = (40, 30, 100, 90)
ENDED = ("done", "failed", "cancelled", "unknown")  # x0, y0, x1, y1 of the painted object


@pytest.fixture
def window(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    made = make_video(tmp_path / "clip.mp4", size=(W, H), fps=25, seconds=1.0)
    window = open_video_window(qtbot, made.path)
    yield window
    stop_jobs(window)


def _paint_object(window, send: bool = True) -> str:  # type: ignore[no-untyped-def]
    project = window.project
    mask_id = tools_of(window).panel.add_object()
    x0, y0, x1, y1 = BOX
    project.put_keyframe(mask_id, MaskKeyframe(0, (MaskShape("rect", ((x0, y0), (x1, y1))),)))
    if not send:
        project.update_mask(mask_id, send=False)
    return mask_id


def _frames(data: bytes, folder: Path) -> list[np.ndarray]:
    path = folder / "sent-mask.mp4"
    path.write_bytes(data)
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="gray") for f in container.decode(video=0)]


def test_separate_with_a_chosen_mask_sends_the_video_and_a_black_object_mask(
    qtbot, window, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    cloud = start_cloud(monkeypatch)
    try:
        panel = window.jobs.prompt_panel
        choose_engine(window, "fal")
        window.project.set_prompt("the dog barking")
        assert panel.separate_button.text() == "Separate"  # no mask chosen yet
        _paint_object(window)
        assert panel.separate_button.text() == "Separate (video mask)"
        assert "video and the mask of 'Object 1'" in panel.marks_summary.text()
        plan = window.jobs.flow.plan(SEPARATE)
        assert plan.ok and plan.jobs[0].request.kind.value == "visual"
        tools_of(window).assist.refresh()  # the key came with the fake cloud
        settle(qtbot, window)
        qtbot.waitUntil(lambda: window.video.viewer.view.has_overlay, timeout=5000)
        QApplication.processEvents()
        save_screenshot(window, "visual_separate.png")

        (record,) = window.jobs.flow.separate()
        assert record.kind == "visual"
        mask_path = Path(record.request["mask_path"])
        assert mask_path.parent == Path(record.out_dir)  # beside the take: kept for a retry
        assert mask_path.parent.parent == window.project.takes_dir
        assert record.request["video_path"] == window.project.state.media.path
        done = wait_state(qtbot, window, record.id, *ENDED, timeout=60_000)
        assert done.state == "done", done.message
        qtbot.waitUntil(lambda: len(window.project.state.takes) == 1, timeout=10_000)
        assert mask_path.is_file()

        (hit,) = cloud.hits_to("sam-audio/visual-separate", "POST")
        body = hit.json
        assert body["prompt"] == "the dog barking"
        assert cloud.resolve(body["video_url"]) == Path(record.request["video_path"]).read_bytes()
        sent = cloud.resolve(body["mask_video_url"])
        assert sent == mask_path.read_bytes()
        frames = _frames(sent, tmp_path)
        assert len(frames) == 25 and frames[0].shape == (H, W)
        x0, y0, x1, y1 = BOX
        for frame in frames:  # one keyframe: held on every frame
            assert set(np.unique(frame)) <= {0, 255}  # exactly binary
            inside = frame[y0:y1, x0:x1]
            assert (inside == 0).all()  # black where the object is (fal: black = target)
            outside = frame.copy()
            outside[y0:y1, x0:x1] = 255
            assert (outside == 255).all()  # white elsewhere

        # the recorded request stands on its own: a retry sends the same mask file again
        again = window.jobs.flow.retry(record.id)
        assert again is not None and again.request["mask_path"] == str(mask_path)
        wait_state(qtbot, window, again.id, "done", timeout=60_000)
        hits = cloud.hits_to("sam-audio/visual-separate", "POST")
        assert len(hits) == 2 and cloud.resolve(hits[1].json["mask_video_url"]) == sent
    finally:
        stop_jobs(window)
        cloud.stop()


def test_the_invert_switch_sends_the_mask_the_other_way(
    qtbot, window, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    cloud = start_cloud(monkeypatch)
    try:
        choose_engine(window, "fal")
        _paint_object(window)
        window.project.set_mask_invert(True)
        assert "(inverted)" in window.jobs.prompt_panel.marks_summary.text()
        (record,) = window.jobs.flow.separate()
        wait_state(qtbot, window, record.id, "done", timeout=60_000)
        (hit,) = cloud.hits_to("sam-audio/visual-separate", "POST")
        first = _frames(cloud.resolve(hit.json["mask_video_url"]), tmp_path)[0]
        x0, y0, x1, y1 = BOX
        assert (first[y0:y1, x0:x1] == 255).all() and first[5, 5] == 0
    finally:
        stop_jobs(window)
        cloud.stop()


def test_an_unchosen_mask_is_not_sent(window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FAL_KEY", "test-key")
    choose_engine(window, "fal")
    window.project.set_prompt("the dog barking")
    _paint_object(window, send=False)
    panel = window.jobs.prompt_panel
    assert panel.separate_button.text() == "Separate"
    assert window.jobs.flow.plan(SEPARATE).jobs[0].request.kind.value == "text"


def test_the_offline_engine_says_it_cannot_separate_by_picture(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.project.add_span(0.0, 0.4, include=False)
    _paint_object(window)
    panel = window.jobs.prompt_panel
    assert window.project.state.provider == "local"
    assert panel.separate_button.text() == "Separate"
    lines = panel.marks_summary.text().splitlines()
    assert any("cannot separate by picture" in line and "'Object 1'" in line for line in lines)
    (record,) = window.jobs.flow.separate()
    assert record.kind == "spans" and "mask_path" not in record.request
    wait_state(qtbot, window, record.id, "done")


def test_a_visual_job_left_while_preparing_renders_its_mask_when_resumed(
    qtbot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Isolde stopped while the mask video was being rendered: on the next open the job renders
    it from the description recorded beside it, and is sent as if nothing had happened."""
    cloud = start_cloud(monkeypatch)
    made = make_video(tmp_path / "clip.mp4", size=(W, H), fps=25, seconds=1.0)
    project = Project.new_for_media(describe_media(made.path))
    project.set_provider("fal", {})
    mask_id = project.add_mask("dog")
    x0, y0, x1, y1 = BOX
    project.put_keyframe(mask_id, MaskKeyframe(0, (MaskShape("rect", ((x0, y0), (x1, y1))),)))
    path = project.save(tmp_path / "show.isolde")
    out_dir = project.takes_dir / "left1"
    mask_path = out_dir / MASK_FILE
    write_mask_spec(
        mask_path, MaskVideoSpec(made.path.as_posix(), project.state.masks, False, "fal")
    )
    request = Request(
        RequestKind.VISUAL, str(made.path), video_path=str(made.path), mask_path=str(mask_path)
    )
    JobStore(jobs_dir_for(project)).put(
        JobRecord(
            id="left1",
            provider="fal",
            kind="visual",
            request=request.to_json(),
            out_dir=str(out_dir),
            output_format="wav",
            state="preparing",
        )
    )
    assert not mask_path.exists()
    window = open_video_window(qtbot, path)
    try:
        done = wait_state(qtbot, window, "left1", *ENDED, timeout=60_000)
        assert done.state == "done", done.message
        assert mask_path.is_file()
        (hit,) = cloud.hits_to("sam-audio/visual-separate", "POST")
        first = _frames(cloud.resolve(hit.json["mask_video_url"]), tmp_path)[0]
        assert (first[y0:y1, x0:x1] == 0).all() and first[5, 5] == 255
    finally:
        stop_jobs(window)
        cloud.stop()
