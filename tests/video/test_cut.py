"""cut_video / cut_mask: the frames shown over [start, end) from time 0, upright, with the sound
of that stretch; the mask cut exactly binary and frame for frame in step with the picture cut."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf
from video_factory import MadeVideo, make_video, read_frame_number

from isolde.audio import open_audio
from isolde.core.errors import AudioFileError, Cancelled, InputError
from isolde.core.masks import MaskKeyframe, MaskObject, MaskShape
from isolde.core.progress import CancelToken
from isolde.video.cut import cut_mask, cut_video, source_origin
from isolde.video.frames import VideoReader
from isolde.video.mask_video import read_mask_video, render_mask_video

FPS = 25


def numbers(path: Path) -> tuple[list[int | None], list[float], tuple[int, int]]:
    with VideoReader(path) as reader:
        got = [read_frame_number(reader.frame(i)) for i in range(reader.frame_count)]
        shape = reader.frame(0).shape
        return got, list(reader.times), (shape[1], shape[0])


def luma(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="gray") for f in container.decode(video=0)]


def decoded_sound(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray().T for f in container.decode(audio=0)])


@pytest.fixture
def clip(tmp_path: Path) -> MadeVideo:
    """3 s, 25 fps, stored 160×120 and shown turned (120×160), with a 440 Hz tone."""
    return make_video(tmp_path / "clip.mp4", size=(160, 120), seconds=3.0, rotation=90, gop=12)


def test_the_cut_starts_with_the_frame_shown_at_start(clip: MadeVideo, tmp_path: Path) -> None:
    cut = cut_video(clip.path, 1.02, 2.0, tmp_path / "cut.mp4")
    got, times, size = numbers(cut.path)
    assert got == list(range(25, 50))  # frame 25 (1.00 s) is on screen at 1.02 s
    assert cut.frames == 25
    assert size == (120, 160)  # upright: the rotation is in the pixels now
    with VideoReader(cut.path) as reader:
        assert reader.info.rotation == 0
    assert times[0] == pytest.approx(0.0)
    assert times[1:] == pytest.approx([clip.times[i] - 1.02 for i in range(26, 50)], abs=1e-4)


def test_the_cut_carries_the_sound_of_its_stretch(clip: MadeVideo, tmp_path: Path) -> None:
    cut = cut_video(clip.path, 1.0, 2.0, tmp_path / "cut.mp4")
    with open_audio(clip.path) as source:
        rate = source.sample_rate
        want = source.read(rate, 2 * rate).astype(np.float64)
    got = decoded_sound(cut.path)[: len(want)]
    inner = slice(2048, len(want) - 2048)
    err = got[inner] - want[inner]
    assert 10 * np.log10(np.sum(want[inner] ** 2) / np.sum(err**2)) > 30


def test_the_cut_carries_given_audio_from_its_sample_0(clip: MadeVideo, tmp_path: Path) -> None:
    rate = 48_000
    t = np.arange(rate) / rate
    given = np.stack([0.25 * np.sin(2 * np.pi * 300 * t)] * 2, axis=1)
    sf.write(tmp_path / "given.wav", given, rate, subtype="FLOAT")
    cut = cut_video(clip.path, 0.5, 1.5, tmp_path / "cut.mp4", audio=tmp_path / "given.wav")
    got = decoded_sound(cut.path)[:rate]
    inner = slice(2048, rate - 2048)
    assert np.abs(got[inner] - given[inner]).max() < 0.01


def test_odd_sizes_and_vfr_are_kept(tmp_path: Path) -> None:
    made = make_video(tmp_path / "vfr.mkv", size=(161, 121), seconds=2.0, vfr=True, audio=False)
    cut = cut_video(made.path, 0.5, 1.6, tmp_path / "cut.mkv")
    got, times, size = numbers(cut.path)
    first = max(i for i, t in enumerate(made.times) if t <= 0.5)
    last = max(i for i, t in enumerate(made.times) if t < 1.6)
    assert got == list(range(first, last + 1))
    assert size == (161, 121)
    want = [0.0] + [made.times[i] - 0.5 for i in range(first + 1, last + 1)]
    assert times == pytest.approx(want, abs=1e-4)


def test_the_mask_cut_is_exact_and_in_step_with_the_picture(
    clip: MadeVideo, tmp_path: Path
) -> None:
    rect = MaskShape("rect", ((10, 20), (70, 90)))
    moved = MaskShape("rect", ((40, 60), (110, 150)))
    obj = MaskObject("it", keyframes=(MaskKeyframe(0, (rect,)), MaskKeyframe(74, (moved,))))
    mask = render_mask_video(clip.path, [obj], tmp_path / "mask.mp4").path
    whole = list(read_mask_video(mask))
    cut = cut_mask(mask, 1.02, 2.0, tmp_path / "mask-cut.mp4", origin_s=source_origin(clip.path))
    assert cut.frames == 25
    pixels = luma(cut.path)
    assert all(np.count_nonzero((p != 0) & (p != 255)) == 0 for p in pixels)  # no grey
    part = list(read_mask_video(cut.path))
    assert len(part) == 25
    assert all(np.array_equal(a, b) for a, b in zip(part, whole[25:50], strict=True))
    picture = cut_video(clip.path, 1.02, 2.0, tmp_path / "cut.mp4")
    with VideoReader(cut.path) as m, VideoReader(picture.path) as p:
        assert m.times == pytest.approx(p.times, abs=1e-4)
        assert m.frame(0).shape == p.frame(0).shape


def test_cancel_and_errors_leave_nothing(clip: MadeVideo, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        cut_video(clip.path, 0.0, 2.0, out / "cut.mp4", cancel=cancel)
    with pytest.raises(Cancelled):
        cut_mask(clip.path, 0.0, 2.0, out / "mask.mp4", cancel=cancel)
    with pytest.raises(InputError, match="before the end"):
        cut_video(clip.path, 2.0, 1.0, out / "cut.mp4")
    with pytest.raises(InputError, match=r"\.mp4, \.mov or \.mkv"):
        cut_video(clip.path, 0.0, 1.0, out / "cut.avi")
    with pytest.raises(InputError, match="overwrite its source"):
        cut_mask(clip.path, 0.0, 1.0, clip.path)
    with pytest.raises(AudioFileError):
        cut_video(tmp_path / "missing.mp4", 0.0, 1.0, out / "cut.mp4")
    assert not list(out.iterdir())


def test_past_the_picture_the_last_frame_is_held(tmp_path: Path) -> None:
    """The sound runs on after the picture: the cut still lasts the whole range (its sound is
    not trimmed to the picture), the picture and the mask holding their last frame."""
    made = make_video(tmp_path / "short.mp4", seconds=2.0, audio_seconds=3.0)
    cut = cut_video(made.path, 1.5, 3.0, tmp_path / "cut.mp4")
    got, times, _ = numbers(cut.path)
    assert got[:13] == list(range(37, 50)) and set(got[13:]) == {49}
    assert times[-1] + 1 / FPS == pytest.approx(1.5, abs=1e-3)
    assert len(decoded_sound(cut.path)) >= round(1.5 * 48_000)
    obj = MaskObject("it", keyframes=(MaskKeyframe(0, (MaskShape("rect", ((5, 5), (50, 40))),)),))
    mask = render_mask_video(made.path, [obj], tmp_path / "mask.mp4").path
    part = cut_mask(mask, 1.5, 3.0, tmp_path / "mask-cut.mp4")
    assert part.frames == cut.frames == len(got)
    with VideoReader(part.path) as reader:
        assert reader.times == pytest.approx(times, abs=1e-4)
