"""The cloud mask assist (SAM 3 video segmentation on fal) against the fake cloud, over HTTP.

The test clip: a dark ground, a bright box A that moves along a curve, leaves the picture for a
few frames and comes back, and a bright disc B that stays put. The fake's "model" calls bright
shapes objects (a text prompt: all of them; a click: the shape under it, followed through the
clip), so what SAM 3 should answer is known exactly.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from fakecloud import FakeCloud, Faults
from fakecloud.testing import fast
from isolde.core.errors import Cancelled, InputError, MissingKeyError
from isolde.core.masks import MaskObject
from isolde.core.progress import CancelToken
from isolde.providers.base import JobEvent
from isolde.providers.errors import (
    AuthError,
    JobFailedError,
    RemoteValidationError,
    SubmissionUnknownError,
)
from isolde.providers.fal import FalProvider
from isolde.providers.fal.sam3_assist import (
    AssistPoint,
    assist_mask,
    assist_point,
    estimate_assist_cost,
)
from isolde.video import assist
from isolde.video.mask_timeline import MaskTimeline
from isolde.video.probe import VideoInfo, probe_video

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "video"))
from video_factory import make_video

W, H, FRAMES = 160, 120, 40
GONE = range(26, 31)  # frames where box A is out of the picture


def box_a(i: int) -> tuple[int, int, int, int] | None:
    if i in GONE:
        return None
    t = i / (FRAMES - 1)
    x = int(8 + 100 * t)
    y = int(10 + 40 * (2 * t - 1) ** 2)  # up, then down again: a curve, not a line
    return x, y, 28, 20


def draw(i: int, width: int, height: int) -> np.ndarray:
    img = np.full((height, width, 3), 25, np.uint8)
    yy, xx = np.mgrid[:height, :width]
    img[(xx - 130) ** 2 + (yy - 95) ** 2 <= 12**2] = 235  # disc B
    if (box := box_a(i)) is not None:
        x, y, w, h = box
        img[y : y + h, x : x + w] = 235
    return img


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    make_video(path, size=(W, H), frames=FRAMES, audio=False, pattern=draw, crf=10)
    return path


def submitted(cloud: FakeCloud) -> dict:
    [hit] = [h for h in cloud.hits if h.method == "POST" and "sam-3/video-rle" in h.path]
    return hit.json


def answered_masks(cloud: FakeCloud) -> list[np.ndarray]:
    """What the fake's model answered, decoded with the client's own decoder."""
    [job] = [j for j in cloud.jobs.values() if j.endpoint == "fal-ai/sam-3/video-rle"]
    return list(assist.rle_masks(job.outputs["rle"], W, H))


def rendered(obj: MaskObject, frames: int = FRAMES) -> list[np.ndarray]:
    """Each frame of the object as the editor shows it."""
    timeline = MaskTimeline(W, H)
    return [timeline.mask_at(obj, i) for i in range(frames)]


def run(fal: FalProvider, clip: Path, **kw) -> tuple[MaskObject, list[JobEvent]]:  # type: ignore[no-untyped-def]
    events: list[JobEvent] = []
    return assist_mask(clip, provider=fal, on_event=events.append, **kw), events


# -- end to end --------------------------------------------------------------------------------
def test_text_prompt_becomes_an_editable_mask(fal, cloud, clip) -> None:  # type: ignore[no-untyped-def]
    progress: list[float] = []
    obj, events = run(fal, clip, text="  bright things ", progress=lambda f, m: progress.append(f))
    body = submitted(cloud)
    assert body == {"video_url": body["video_url"], "prompt": "bright things", "apply_mask": False}
    assert body["video_url"].endswith("/clip.mp4")
    [upload] = cloud.hits_to("/fal/cdn/files/upload")
    assert upload.headers["content-type"] == "video/mp4"
    assert int(upload.headers["content-length"]) == clip.stat().st_size
    assert obj.name == "bright things" and obj.send
    assert all(kf.origin == "assist" for kf in obj.keyframes)
    assert obj.keyframe_frames[0] == 0 and obj.keyframe_frames[-1] == FRAMES - 1
    assert len(obj.keyframes) < FRAMES / 2  # sparing: the project file stays small
    truth, shown = answered_masks(cloud), rendered(obj)
    for i, (want, got) in enumerate(zip(truth, shown, strict=True)):
        assert assist.agreement(got, want) >= 0.9, i
        if i in obj.keyframe_frames:
            assert np.array_equal(want, got), i  # keyframes hold the answer exactly
    x, y, w, h = box_a(0)  # type: ignore[misc]
    assert truth[0][95, 130] and truth[0][y + h // 2, x + w // 2]  # both: disc B and box A
    states = [e.state for e in events]
    assert "submitted" in states and "sending" in states and states[-1] == "done"
    assert [e.message for e in events if e.state == "log"] == ["loading the model", "separating"]
    assert progress[0] == 0.0 and progress[-1] == 1.0 and progress == sorted(progress)


def test_a_click_follows_that_object_only(fal, cloud, clip) -> None:  # type: ignore[no-untyped-def]
    x, y, w, h = box_a(5)  # type: ignore[misc]
    obj, _ = run(fal, clip, points=[AssistPoint(x + w / 2 + 0.7, y + h / 2, 5)], name="box A")
    assert submitted(cloud)["point_prompts"] == [
        {"x": int(x + w / 2 + 0.7), "y": y + h // 2, "label": 1, "frame_index": 5, "object_id": 1}
    ]
    assert submitted(cloud)["prompt"] == ""
    shown = rendered(obj)
    for i in range(FRAMES):
        box = box_a(i)
        if box is None:
            assert not shown[i].any(), i  # gone, and the keyframes say so
            continue
        bx, by, bw, bh = box
        assert shown[i][by + bh // 2, bx + bw // 2], i
        assert not shown[i][95, 130], i  # disc B is not part of it
    assert any(f in GONE for f in obj.keyframe_frames)  # the disappearance is a keyframe
    assert any(f - 1 in GONE for f in obj.keyframe_frames)  # and the return


@pytest.mark.parametrize("shape", ["file", "video"])
def test_masks_in_a_file_or_a_mask_video(fal, cloud, clip, shape) -> None:  # type: ignore[no-untyped-def]
    cloud.sam3_output = "list"
    reference, _ = run(fal, clip, text="x")
    truth = answered_masks(cloud)
    cloud.sam3_output = shape
    obj, events = run(fal, clip, text="x")
    assert any(e.message.startswith("downloading the mask") for e in events)
    for want, got in zip(truth, rendered(obj), strict=True):
        assert assist.agreement(got, want) >= 0.9
    assert [kf.frame for kf in obj.keyframes] == [kf.frame for kf in reference.keyframes]


def test_a_rotated_video_is_sent_upright(fal, cloud, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "phone.mp4"
    # Stored 120×160 and turned 90° for display: the display is 160×120, as `draw` paints it.
    made = make_video(
        path, size=(H, W), frames=FRAMES, audio=False, rotation=90, pattern=draw, crf=10
    )
    assert made.display_size == (W, H)
    x, y, w, h = box_a(0)  # type: ignore[misc]
    obj, _ = run(fal, path, points=[AssistPoint(x + w // 2, y + h // 2, 0)])
    assert submitted(cloud)["video_url"].endswith("phone.upright.mp4")
    first = rendered(obj)[0]
    assert first.shape == (H, W) and first[y + h // 2, x + w // 2] and not first[95, 130]


def test_a_click_at_a_time_lands_on_its_frame(clip) -> None:  # type: ignore[no-untyped-def]
    assert assist_point(clip, 12.5, 30, 0.21) == AssistPoint(12.5, 30, 5, True)
    assert assist_point(clip, 1, 2, 0.0, positive=False) == AssistPoint(1, 2, 0, False)


# -- price and checks before sending -------------------------------------------------------------
def test_cost_estimate(clip) -> None:  # type: ignore[no-untyped-def]
    usd, note = estimate_assist_cost(probe_video(clip))
    assert usd == pytest.approx(math.ceil(FRAMES / 16) * 0.005)
    assert "$0.005 per 16 frames" in note and "40 frames" in note
    no_count = VideoInfo(W, H, 25.0, 0, 10.0, "h264")
    assert estimate_assist_cost(no_count)[0] == pytest.approx(math.ceil(250 / 16) * 0.005)


@pytest.mark.parametrize(
    ("kw", "said"),
    [
        ({}, "click on it"),
        ({"text": "   "}, "click on it"),
        ({"points": [AssistPoint(500, 10, 0)]}, "outside the 160×120 picture"),
        ({"points": [AssistPoint(10, 10, FRAMES)]}, "does not have (0–39)"),
        ({"text": "x", "detection_threshold": 1.5}, "threshold"),
    ],
)
def test_bad_prompts_are_refused_before_sending(fal, cloud, clip, kw, said) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=said.replace("(", r"\(").replace(")", r"\)")):
        assist_mask(clip, provider=fal, **kw)
    assert not cloud.hits


def test_a_missing_key_says_so_before_any_network(fal, cloud, clip, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    monkeypatch.delenv("FAL_KEY")
    with pytest.raises(MissingKeyError, match="FAL_KEY"):
        assist_mask(clip, text="x", provider=fal)
    assert not cloud.hits


def test_not_a_video(fal, cloud, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fakecloud.testing import noise, write_wav

    with pytest.raises(InputError, match="no picture"):
        assist_mask(write_wav(tmp_path / "a.wav", noise(0.2)), text="x", provider=fal)
    with pytest.raises(InputError, match="no such file"):
        assist_mask(tmp_path / "gone.mp4", text="x", provider=fal)
    assert not cloud.hits


def test_nothing_found_is_a_clear_message(fal, cloud, clip) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="found nothing for 'the sky'"):
        assist_mask(clip, points=[AssistPoint(2, 2, 0)], name="the sky", provider=fal)


# -- failures, cancel, keys ------------------------------------------------------------------------
def test_a_failed_job(fal, cloud, clip) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.job_fails = "CUDA out of memory"
    with pytest.raises(JobFailedError, match="CUDA out of memory"):
        assist_mask(clip, text="x", provider=fal)


def test_a_422_names_the_field(fal, cloud, clip) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["fal.result"] = [422]
    with pytest.raises(RemoteValidationError, match="prompt") as exc:
        assist_mask(clip, text="x", provider=fal)
    assert exc.value.problems == {"prompt": "scripted: prompt too long"}


def test_the_fake_checks_prompts_like_fal(cloud) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.validate_at_submit = True
    body = {
        "video_url": "x",
        "point_prompts": [{"x": 1.5, "y": 2, "label": 3, "frame": 0}],
        "box_prompts": [{"x_min": 0}],
        "apply_mask": "no",
    }
    answer = httpx.post(
        f"{cloud.url}/fal/queue/fal-ai/sam-3/video-rle",
        json=body,
        headers={"Authorization": f"Key {cloud.fal_key}"},
    )
    assert answer.status_code == 422
    locs = {tuple(d["loc"][1:]) for d in answer.json()["detail"]}
    assert locs == {
        ("apply_mask",),
        ("point_prompts", 0, "x"),
        ("point_prompts", 0, "label"),
        ("point_prompts", 0, "frame"),
        ("box_prompts", 0, "y_min"),
        ("box_prompts", 0, "x_max"),
        ("box_prompts", 0, "y_max"),
    }


def test_a_submit_that_may_have_landed_is_never_resent(fal, cloud, clip) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["fal.submit"] = ["drop"]
    events: list[JobEvent] = []
    with pytest.raises(SubmissionUnknownError, match="dashboard"):
        assist_mask(clip, text="x", provider=fal, on_event=events.append)
    assert len(cloud.hits_to("/fal/queue/fal-ai/sam-3/video-rle")) == 1
    assert events[-1].state == "unknown"


def test_cancel_while_queued_cancels_remotely(fal, cloud, clip) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.queue_positions = list(range(500, 0, -1))
    cloud.faults.step_s = 0.02
    cancel, seen = CancelToken(), []

    def on_event(event: JobEvent) -> None:
        if event.state == "queued" and not seen:
            seen.append(time.monotonic())
            cancel.cancel()

    with pytest.raises(Cancelled):
        assist_mask(clip, text="x", provider=fal, on_event=on_event, cancel=cancel)
    assert len(cloud.hits_to("/fal/queue/fal-ai/sam-3/requests/", "PUT")) == 1
    assert next(iter(cloud.jobs.values())).cancelled


def test_the_key_stays_out_of_logs_and_errors(clip, monkeypatch, caplog, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sentinel = "sentinel-fal-key-7f3a9c1e"
    cloud = FakeCloud(fal_key=sentinel, faults=Faults(step_s=0.002)).start()
    try:
        for name, value in cloud.env().items():
            monkeypatch.setenv(name, value)
        caplog.set_level(logging.DEBUG)
        fal = fast(FalProvider())
        obj = assist_mask(clip, text="x", provider=fal, work_dir=tmp_path / "work")
        saved = str(obj.to_json()) + "".join(
            p.read_text("latin-1") for p in (tmp_path / "work").glob("*") if p.is_file()
        )
        monkeypatch.setenv("FAL_KEY", sentinel + "-wrong")
        with pytest.raises(AuthError) as exc:
            assist_mask(clip, text="x", provider=fast(FalProvider()))
        assert "FAL_KEY" in str(exc.value) and sentinel not in str(exc.value)
        assert sentinel not in caplog.text and sentinel not in saved
        assert any(h.headers.get("authorization") == "<set>" for h in cloud.hits)
    finally:
        cloud.stop()
