"""Tracking a synthetic moving box (CSRT, MIL), forward and backward, with stops, loss, cancel;
GrabCut refinement inside a box. Real videos made with PyAV, read with VideoReader."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from video_factory import make_moving_box_video, make_video

from isolde.core.errors import Cancelled, InputError
from isolde.core.masks import MaskKeyframe, MaskObject, MaskShape, TrackBox
from isolde.core.progress import CancelToken
from isolde.video.frames import VideoReader
from isolde.video.tracking import TrackedBoxes, refine_in_box, track, track_object

Truth = list[tuple[int, ...]]
CENTRE_PX = 3.0  # "within a few pixels": the box's centre
SIZE_SHARE = 0.2  # and its size within 20 %


def rect(box: tuple[float, ...]) -> MaskShape:
    x, y, w, h = box
    return MaskShape("rect", ((x, y), (x + w, y + h)))


def assert_follows(boxes: list[TrackBox], truth: Truth, centre_px: float = CENTRE_PX) -> None:
    assert boxes
    for b in boxes:
        x, y, w, h = truth[b.frame]
        assert abs(b.x + b.w / 2 - (x + w / 2)) <= centre_px, (b, truth[b.frame])
        assert abs(b.y + b.h / 2 - (y + h / 2)) <= centre_px, (b, truth[b.frame])
        assert abs(b.w - w) <= SIZE_SHARE * w and abs(b.h - h) <= SIZE_SHARE * h, b


def test_forward_follows_the_box_to_the_end(moving_box: tuple[Path, Truth]) -> None:
    path, truth = moving_box
    seen: list[float] = []
    run = track(lambda: VideoReader(path), 0, truth[0], progress=lambda f, m: seen.append(f))
    assert [b.frame for b in run] == list(range(1, len(truth)))
    assert run.lost_at is None and run.algorithm == "csrt"
    assert all(b.anchor == 0 for b in run)
    assert_follows(run, truth)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_backward_follows_the_box_to_the_start(moving_box: tuple[Path, Truth]) -> None:
    path, truth = moving_box
    last = len(truth) - 1
    with VideoReader(path) as reader:
        run = track(reader, last, truth[last], direction=-1)
        assert reader.frame(0).shape == (240, 320, 3)  # a reader passed in stays open
    assert [b.frame for b in run] == list(range(last - 1, -1, -1))
    assert run.lost_at is None and all(b.anchor == last for b in run)
    assert_follows(run, truth)


def test_stop_frames_are_not_crossed(moving_box: tuple[Path, Truth]) -> None:
    path, truth = moving_box
    with VideoReader(path) as reader:
        ahead = track(reader, 20, truth[20], direction=1, stop_frame=30)
        behind = track(reader, 20, truth[20], direction=-1, stop_frame=10)
        nothing = track(reader, 20, truth[20], direction=1, stop_frame=21)
    assert [b.frame for b in ahead] == list(range(21, 30))
    assert [b.frame for b in behind] == list(range(19, 10, -1))
    assert list(nothing) == [] and nothing.lost_at is None
    assert_follows(ahead, truth)
    assert_follows(behind, truth)


def test_track_object_goes_both_ways_between_keyframes(moving_box: tuple[Path, Truth]) -> None:
    path, truth = moving_box
    obj = MaskObject(
        "box",
        keyframes=(
            MaskKeyframe(5, (rect(truth[5]),)),
            MaskKeyframe(20, (rect(truth[20]),)),
            MaskKeyframe(35, (rect(truth[35]),)),
        ),
    )
    seen: list[float] = []
    found = track_object(path, obj, 20, progress=lambda f, m: seen.append(f))
    assert isinstance(found, TrackedBoxes) and isinstance(found, tuple)
    assert [b.frame for b in found] == [*range(6, 20), *range(21, 35)]
    assert all(b.anchor == 20 for b in found) and found.lost == ()
    assert_follows(list(found), truth)
    assert seen == sorted(seen) and seen[-1] == 1.0
    # From the first keyframe: back to the start, forward to the next keyframe.
    first = track_object(path, obj, 5)
    assert [b.frame for b in first] == [*range(0, 5), *range(6, 20)]


def test_a_big_video_is_tracked_on_a_smaller_copy(tmp_path: Path) -> None:
    path = tmp_path / "big.mp4"
    truth: Truth = [
        tuple(b)
        for b in make_moving_box_video(
            path, size=(1280, 720), frames=12, box_size=(160, 128), audio=False
        )
    ]
    run = track(lambda: VideoReader(path), 0, truth[0])
    assert len(run) == 11 and run.lost_at is None
    assert_follows(run, truth, centre_px=2.5 * CENTRE_PX)  # 1280×720 → 640×360: 2 px steps


def _vanishing_box(path: Path, frames: int, gone_from: int) -> Truth:
    rng = np.random.default_rng(5)
    ground = np.repeat(np.repeat(rng.integers(40, 216, (31, 41, 3), dtype=np.uint8), 8, 0), 8, 1)
    ground = np.ascontiguousarray(ground[:240, :320])
    checker = (np.indices((40, 48)).sum(axis=0) // 6) % 2
    sprite = np.where(checker[..., None] == 1, (250, 210, 30), (30, 60, 220)).astype(np.uint8)
    truth = [(40 + 4 * i, 30 + 3 * i, 48, 40) for i in range(frames)]

    def draw(index: int, width: int, height: int) -> np.ndarray:
        image = ground.copy()
        if index < gone_from:
            x, y, w, h = truth[index]
            image[y : y + h, x : x + w] = sprite
        return image

    make_video(path, size=(320, 240), fps=25, frames=frames, pattern=draw, crf=12, audio=False)
    return truth


def test_a_lost_object_stops_the_track_and_says_where(tmp_path: Path) -> None:
    path = tmp_path / "vanish.mp4"
    truth = _vanishing_box(path, frames=30, gone_from=18)
    run = track(lambda: VideoReader(path), 0, truth[0])
    assert run.lost_at is not None and 18 <= run.lost_at <= 20
    assert [b.frame for b in run] == list(range(1, run.lost_at))
    assert_follows([b for b in run if b.frame < 18], truth, centre_px=2 * CENTRE_PX)
    obj = MaskObject("box", keyframes=(MaskKeyframe(0, (rect(truth[0]),)),))
    found = track_object(path, obj, 0)
    assert found.lost_forward == run.lost_at and found.lost_backward is None
    assert found.lost == (run.lost_at,)


def test_cancel_raises_and_returns_nothing(moving_box: tuple[Path, Truth]) -> None:
    path, truth = moving_box
    token = CancelToken()
    calls: list[float] = []

    def progress(fraction: float, message: str) -> None:
        calls.append(fraction)
        if len(calls) == 5:
            token.cancel()

    with pytest.raises(Cancelled):
        track(lambda: VideoReader(path), 0, truth[0], progress=progress, cancel=token)
    assert 5 <= len(calls) < 10
    obj = MaskObject("box", keyframes=(MaskKeyframe(10, (rect(truth[10]),)),))
    with pytest.raises(Cancelled):
        track_object(path, obj, 10, cancel=token)


def test_mil_runs_when_asked_and_when_csrt_is_missing(
    moving_box: tuple[Path, Truth], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, truth = moving_box
    with VideoReader(path) as reader:
        run = track(reader, 0, truth[0], stop_frame=15, algorithm="mil")
        assert run.algorithm == "mil" and len(run) == 14
        assert_follows(run, truth, centre_px=2 * CENTRE_PX)
        monkeypatch.delattr(cv2, "TrackerCSRT")  # an OpenCV build without the contrib trackers
        fallback = track(reader, 0, truth[0], stop_frame=15)
    assert fallback.algorithm == "mil" and [b.frame for b in fallback] == [b.frame for b in run]


@pytest.mark.parametrize(
    ("box", "needle"),
    [
        ((400, 10, 40, 40), "outside the 320×240 picture"),
        ((-80, -80, 40, 40), "outside"),
        ((10, 10, 0, 30), "w, h ≥ 1"),
        ((10, 10, float("nan"), 30), "finite"),
    ],
)
def test_bad_boxes_are_input_errors(
    moving_box: tuple[Path, Truth], box: tuple[float, ...], needle: str
) -> None:
    path, _ = moving_box
    with VideoReader(path) as reader, pytest.raises(InputError, match=needle):
        track(reader, 0, box)  # type: ignore[arg-type]


def test_bad_requests_are_input_errors(moving_box: tuple[Path, Truth]) -> None:
    path, truth = moving_box
    with VideoReader(path) as reader:
        with pytest.raises(InputError, match="frames 0–49"):
            track(reader, 50, truth[0])
        with pytest.raises(InputError, match="direction"):
            track(reader, 0, truth[0], direction=0)
        with pytest.raises(InputError, match="tracker"):
            track(reader, 0, truth[0], algorithm="kcf")
        obj = MaskObject("box", keyframes=(MaskKeyframe(3, (rect(truth[3]),)),))
        with pytest.raises(InputError, match="no keyframe on frame 4"):
            track_object(reader, obj, 4)
        erased = MaskObject("box", keyframes=(MaskKeyframe(3, ()),))
        with pytest.raises(InputError, match="empty"):
            track_object(reader, erased, 3)


# -- GrabCut ------------------------------------------------------------------------------------
def _disc_scene() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2)
    image = rng.integers(60, 140, (120, 160, 3), dtype=np.uint8)
    image[..., 2] //= 2  # a brownish, noisy ground
    truth = np.zeros((120, 160), np.uint8)
    cv2.circle(truth, (80, 60), 25, 1, -1)
    image[truth == 1] = np.array((40, 200, 90)) + rng.integers(-12, 12, (int(truth.sum()), 3))
    return image, truth.astype(bool)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def test_refine_cuts_the_shape_out_of_the_box() -> None:
    image, truth = _disc_scene()
    box = (50.0, 30.0, 60.0, 60.0)  # the disc's box plus 5 px
    prior = np.zeros_like(truth)
    prior[30:90, 50:110] = True  # a rectangle keyframe moved onto the box
    refined = refine_in_box(image, box, prior)
    assert refined.dtype == bool and refined.shape == truth.shape
    assert _iou(refined, truth) > 0.9 > _iou(prior, truth)
    margin = np.ones_like(truth)
    margin[20:100, 40:120] = False
    assert not (refined & margin).any()  # nothing outside the box and its margin
    again = refine_in_box(image, TrackBox(4, *box, anchor=0), prior)
    assert np.array_equal(again, refined)  # deterministic: playback shows the same mask


def test_refine_fixes_a_shifted_prior_and_keeps_an_empty_one() -> None:
    image, truth = _disc_scene()
    shifted = np.roll(truth, (4, -6), axis=(0, 1))
    refined = refine_in_box(image, (48.0, 28.0, 64.0, 64.0), shifted)
    assert _iou(refined, truth) > max(0.9, _iou(shifted, truth))
    empty = np.zeros_like(truth)
    assert not refine_in_box(image, (48.0, 28.0, 64.0, 64.0), empty).any()
    with pytest.raises(InputError, match="prior mask"):
        refine_in_box(image, (48.0, 28.0, 64.0, 64.0), empty[:10])
