"""Mask videos: decoded with PyAV they are exactly the model's mask (0 grey pixels), at the
source's size and frame times; polarity and invert; odd sizes, rotation, VFR; cancel and errors
leave no file."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from video_factory import make_audio_only

from isolde.core.errors import AudioFileError, Cancelled, InputError
from isolde.core.masks import MaskKeyframe, MaskObject, MaskShape, TrackBox
from isolde.core.progress import CancelToken
from isolde.video.frames import VideoReader
from isolde.video.mask_timeline import MaskTimeline
from isolde.video.mask_video import read_mask_video, render_mask_video
from isolde.video.polarity import (
    PROVIDER_POLARITY,
    MaskPolarity,
    polarity_for,
    to_pixels,
)

Truth = list[tuple[int, ...]]


def rect(x: float, y: float, w: float, h: float, erase: bool = False) -> MaskShape:
    return MaskShape("rect", ((x, y), (x + w, y + h)), erase=erase)


def decoded(path: Path) -> tuple[list[np.ndarray], list[float], tuple[int, int]]:
    """Every frame's luma as uint8 H×W, its time in seconds, and the stream's size."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames, times = [], []
        for frame in container.decode(stream):
            frames.append(frame.to_ndarray(format="gray"))
            times.append(float(frame.pts * frame.time_base))
        return frames, times, (stream.codec_context.width, stream.codec_context.height)


def expected(
    video: Path,
    objects: list[MaskObject],
    polarity: MaskPolarity,
    invert: bool,
    frames: range | None = None,
    pictures: bool = False,
) -> list[np.ndarray]:
    with VideoReader(video) as reader:
        height, width = reader.frame(0).shape[:2]
        timeline = MaskTimeline(width, height)
        indices = frames or range(reader.frame_count)
        return [
            to_pixels(
                timeline.combined(objects, i, reader.frame(i) if pictures else None),
                polarity,
                invert,
            )
            for i in indices
        ]


def assert_exact(got: list[np.ndarray], want: list[np.ndarray]) -> None:
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert np.count_nonzero((g != 0) & (g != 255)) == 0, f"grey pixels on frame {i}"
        assert np.array_equal(g, w), f"frame {i}: {np.count_nonzero(g != w)} pixels differ"


@pytest.fixture
def boxed(moving_box: tuple[Path, Truth]) -> MaskObject:
    """Keyframes (a rect, an ellipse with a hole) interpolated, and a tracked stretch."""
    _, truth = moving_box
    x, y, w, h = truth[30]
    return MaskObject(
        "box",
        keyframes=(
            MaskKeyframe(5, (rect(*truth[5]),)),
            MaskKeyframe(
                30,
                (
                    MaskShape("ellipse", ((x, y), (x + w, y + h))),
                    rect(x + 10, y + 10, 8, 8, erase=True),
                ),
            ),
        ),
        track=tuple(TrackBox(i, *map(float, truth[i]), anchor=5) for i in range(10, 20)),
    )


def test_round_trip_is_exactly_the_mask(
    moving_box: tuple[Path, Truth], boxed: MaskObject, tmp_path: Path
) -> None:
    path, truth = moving_box
    other = MaskObject(
        "ball", keyframes=(MaskKeyframe(0, (MaskShape("stroke", ((200, 40), (260, 60)), size=9),)),)
    )
    muted = dataclasses.replace(
        other, name="not sent", send=False, keyframes=(MaskKeyframe(0, (rect(0, 200, 320, 40),)),)
    )
    out = tmp_path / "mask.mp4"
    seen: list[float] = []
    report = render_mask_video(
        path, [boxed, other, muted], out, progress=lambda f, m: seen.append(f)
    )
    assert report.path == out and report.frames == len(truth)
    assert (report.width, report.height, report.fps) == (320, 240, 25.0)
    frames, times, size = decoded(out)
    assert size == (320, 240)
    want = expected(path, [boxed, other], MaskPolarity.BLACK_IS_TARGET, False)
    assert_exact(frames, want)
    assert (frames[12] == 0).sum() > 1000 and (frames[0][200:] == 255).all()  # not sent: white
    with VideoReader(path) as reader:
        assert times == pytest.approx(list(reader.times), abs=1e-6)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    masks = list(read_mask_video(out))
    assert len(masks) == len(truth) and all(m.dtype == bool for m in masks)
    with VideoReader(path) as reader:
        timeline = MaskTimeline(320, 240)
        assert all(
            np.array_equal(m, timeline.combined([boxed, other], i)) for i, m in enumerate(masks)
        )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_refined_tracks_use_the_pictures(
    moving_box: tuple[Path, Truth], boxed: MaskObject, tmp_path: Path
) -> None:
    path, _ = moving_box
    refined = dataclasses.replace(boxed, refine=True)
    out = tmp_path / "refined.mkv"
    render_mask_video(path, [refined], out, start_frame=8, end_frame=22)
    frames, times, _ = decoded(out)
    assert_exact(
        frames,
        expected(path, [refined], MaskPolarity.BLACK_IS_TARGET, False, range(8, 22), pictures=True),
    )
    assert times[0] == 0.0 and times[1] == pytest.approx(0.04, abs=1e-6)  # a part starts at 0


@pytest.mark.parametrize(
    ("polarity", "invert", "object_pixel"),
    [
        (MaskPolarity.BLACK_IS_TARGET, False, 0),
        (MaskPolarity.BLACK_IS_TARGET, True, 255),
        (MaskPolarity.WHITE_IS_TARGET, False, 255),
        (MaskPolarity.WHITE_IS_TARGET, True, 0),
    ],
)
def test_polarity_and_invert_in_the_video(
    video_maker: Callable[..., Any],
    tmp_path: Path,
    polarity: MaskPolarity,
    invert: bool,
    object_pixel: int,
) -> None:
    made = video_maker("small.mp4", size=(160, 120), seconds=0.4, audio=False)
    obj = MaskObject("thing", keyframes=(MaskKeyframe(0, (rect(20, 30, 40, 50),)),))
    out = tmp_path / "m.mp4"
    report = render_mask_video(made.path, [obj], out, polarity=polarity, invert=invert)
    assert report.polarity is polarity and report.invert is invert
    frames, _, _ = decoded(out)
    for frame in frames:
        assert (frame[30:80, 20:60] == object_pixel).all()
        assert np.count_nonzero(frame != object_pixel) == 160 * 120 - 40 * 50
    masks = list(read_mask_video(out, polarity, invert))
    assert all(m[30:80, 20:60].all() and m.sum() == 40 * 50 for m in masks)


def test_polarity_is_one_setting_per_provider() -> None:
    assert polarity_for("fal") is MaskPolarity.BLACK_IS_TARGET  # fal: black = target
    assert PROVIDER_POLARITY["fal"].describe() == "black = target, white = background"
    with pytest.raises(InputError, match="takes no mask video"):
        polarity_for("segmind")
    mask = np.array([[True, False], [False, True]])
    black = to_pixels(mask, MaskPolarity.BLACK_IS_TARGET)
    assert black.dtype == np.uint8 and black.tolist() == [[0, 255], [255, 0]]
    assert to_pixels(mask, MaskPolarity.BLACK_IS_TARGET, True).tolist() == [[255, 0], [0, 255]]
    assert to_pixels(mask, MaskPolarity.WHITE_IS_TARGET).tolist() == [[255, 0], [0, 255]]
    assert to_pixels(mask, MaskPolarity.WHITE_IS_TARGET, True).tolist() == [[0, 255], [255, 0]]
    buffer = np.full((4, 6), 7, np.uint8)
    view = buffer[1:3, 2:4]  # a strided view, like a video frame's plane
    assert to_pixels(mask, MaskPolarity.BLACK_IS_TARGET, out=view) is view
    assert buffer[1:3, 2:4].tolist() == [[0, 255], [255, 0]] and buffer[0, 0] == 7
    with pytest.raises(InputError, match="true/false"):
        to_pixels(mask.astype(np.uint8), MaskPolarity.BLACK_IS_TARGET)


@pytest.mark.parametrize(
    ("options", "display"),
    [
        ({"size": (161, 121)}, (161, 121)),  # odd: no padding
        ({"size": (160, 120), "rotation": 90}, (120, 160)),  # display size, rotation applied
        ({"size": (160, 120), "vfr": True, "fps": 20}, (160, 120)),
    ],
)
def test_size_and_frame_times_follow_the_source(
    video_maker: Callable[..., Any],
    tmp_path: Path,
    options: dict[str, Any],
    display: tuple[int, int],
) -> None:
    made = video_maker("src.mp4", seconds=0.8, audio=False, **options)
    width, height = display
    obj = MaskObject(
        "corner",
        keyframes=(
            MaskKeyframe(0, (MaskShape("polygon", ((0, 0), (width, 0), (0, height))),)),
            MaskKeyframe(made.frame_count - 1, (rect(width - 21, height - 31, 21, 31),)),
        ),
    )
    out = tmp_path / "mask.mov"
    report = render_mask_video(made.path, [obj], out)
    assert (report.width, report.height) == display
    frames, times, size = decoded(out)
    assert size == display and frames[0].shape == (height, width)
    assert times == pytest.approx(list(made.times), abs=1e-6)  # VFR kept, pts for pts
    assert_exact(frames, expected(made.path, [obj], MaskPolarity.BLACK_IS_TARGET, False))


def test_cancel_leaves_no_file_and_keeps_an_old_one(
    moving_box: tuple[Path, Truth], boxed: MaskObject, tmp_path: Path
) -> None:
    path, _ = moving_box
    token = CancelToken()

    def progress(fraction: float, message: str) -> None:
        if fraction > 0.3:
            token.cancel()

    out = tmp_path / "mask.mp4"
    with pytest.raises(Cancelled):
        render_mask_video(path, [boxed], out, progress=progress, cancel=token)
    assert list(tmp_path.iterdir()) == []
    out.write_bytes(b"the mask from before")
    with pytest.raises(Cancelled):
        render_mask_video(path, [boxed], out, progress=progress, cancel=token)
    assert out.read_bytes() == b"the mask from before" and list(tmp_path.iterdir()) == [out]


def test_bad_requests_are_clear_errors(
    moving_box: tuple[Path, Truth], boxed: MaskObject, tmp_path: Path
) -> None:
    path, _ = moving_box
    with pytest.raises(InputError, match="that is the input video"):
        render_mask_video(path, [boxed], path)
    with pytest.raises(InputError, match=r"\.mp4, \.m4v, \.mov, \.mkv"):
        render_mask_video(path, [boxed], tmp_path / "mask.avi")
    with pytest.raises(InputError, match="does not exist"):
        render_mask_video(path, [boxed], tmp_path / "nope" / "mask.mp4")
    with pytest.raises(InputError, match="chosen to send"):
        render_mask_video(path, [dataclasses.replace(boxed, send=False)], tmp_path / "m.mp4")
    with pytest.raises(InputError, match="not a stretch"):
        render_mask_video(path, [boxed], tmp_path / "m.mp4", start_frame=40, end_frame=40)
    sound = make_audio_only(tmp_path / "sound.m4a")
    with pytest.raises(AudioFileError, match="no picture"):
        render_mask_video(sound, [boxed], tmp_path / "m.mp4")
    text = tmp_path / "notes.txt"
    text.write_text("not a video\n" * 20)
    with pytest.raises(AudioFileError, match=r"notes\.txt"):
        render_mask_video(text, [boxed], tmp_path / "m.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "sound.m4a"]
