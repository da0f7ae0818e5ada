"""VideoReader and FrameCache on generated videos whose frames say which frame they are."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from video_factory import MadeVideo, MakeVideo, make_audio_only, read_frame_number

from isolde.audio import open_audio
from isolde.core.errors import AudioFileError
from isolde.video.frame_cache import FrameCache
from isolde.video.frames import VideoReader
from isolde.video.probe import probe_video


def decode_all_plainly(path: Path) -> list[np.ndarray]:
    """Every frame in order through PyAV alone, the reference for the reader."""
    import av

    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


# -- exact frames ----------------------------------------------------------------------------
def test_every_frame_in_order_is_the_numbered_one(numbered_video: MadeVideo) -> None:
    with VideoReader(numbered_video.path) as reader:
        assert reader.frame_count == numbered_video.frame_count == 75
        got = [read_frame_number(reader.frame(i)) for i in range(reader.frame_count)]
    assert got == list(range(75))


def test_random_seeks_equal_sequential_decoding(numbered_video: MadeVideo) -> None:
    plain = decode_all_plainly(numbered_video.path)
    rng = random.Random(10)
    order = [rng.randrange(len(plain)) for _ in range(60)] + [74, 0, 74, 73, 12, 11, 13]
    with VideoReader(numbered_video.path) as reader:
        for index in order:
            image = reader.frame(index)
            assert np.array_equal(image, plain[index]), f"frame {index}"


def test_frames_are_contiguous_rgb_arrays(numbered_video: MadeVideo) -> None:
    with VideoReader(numbered_video.path) as reader:
        image = reader.frame(5)
    assert image.dtype == np.uint8 and image.shape == (120, 160, 3)
    assert image.flags.c_contiguous


def test_stepping_forward_and_back_and_across_keyframes(numbered_video: MadeVideo) -> None:
    with VideoReader(numbered_video.path) as reader:
        walk = [10, 11, 12, 13, 23, 24, 25, 26, 25, 24, 5, 6, 50, 49, 74, 74, 0]
        assert [read_frame_number(reader.frame(i)) for i in walk] == walk


def test_an_abandoned_decode_gives_none_and_leaves_the_reader_usable(
    numbered_video: MadeVideo,
) -> None:
    calls: list[int] = []

    def abandon() -> bool:
        calls.append(1)
        return len(calls) >= 3

    with VideoReader(numbered_video.path) as reader:
        reader.frame(0)
        assert reader.try_frame(40, abandon) is None  # keyframe 36: gave up after 38
        assert len(calls) == 3
        assert read_frame_number(reader.frame(40)) == 40
        nxt = reader.try_frame(41, lambda: True)  # the very next frame: nothing to give up
        assert nxt is not None and read_frame_number(nxt) == 41


def test_indices_out_of_range_clamp(numbered_video: MadeVideo) -> None:
    with VideoReader(numbered_video.path) as reader:
        assert read_frame_number(reader.frame(-3)) == 0
        assert read_frame_number(reader.frame(10_000)) == 74


# -- times -----------------------------------------------------------------------------------
def test_times_are_the_frames_timestamps(numbered_video: MadeVideo) -> None:
    with VideoReader(numbered_video.path) as reader:
        assert reader.times == pytest.approx(numbered_video.times, abs=1e-6)
        assert not reader.vfr
        assert reader.time_of(10) == pytest.approx(0.4)
        assert reader.index_at(0.4) == 10
        assert reader.index_at(0.4 - 1e-4) == 9
        assert reader.index_at(0.43) == 10
        assert reader.index_at(-5.0) == 0
        assert reader.index_at(99.0) == 74


def test_variable_frame_rate_times_are_exact(video_maker: MakeVideo) -> None:
    made = video_maker("vfr.mp4", fps=25, frames=40, vfr=True, gop=10)
    assert len(set(np.round(np.diff(made.times), 3))) == 3  # durations 1, 2 and 3 × 40 ms
    with VideoReader(made.path) as reader:
        assert reader.vfr
        assert reader.times == pytest.approx(made.times, abs=1e-6)
        for index in (0, 7, 8, 30, 19, 39):
            assert read_frame_number(reader.frame(index)) == index
            t = made.times[index]
            assert reader.index_at(t) == index
            assert reader.index_at(t + 0.01) == index  # still showing until the next frame
    assert probe_video(made.path).vfr  # type: ignore[union-attr]


@pytest.mark.parametrize(("video_start", "audio_start"), [(0.5, 0.0), (0.0, 0.3)])
def test_frame_times_share_the_timeline_origin_of_the_audio(
    video_maker: MakeVideo, video_start: float, audio_start: float
) -> None:
    made = video_maker("offset.mp4", seconds=1.5, video_start=video_start, audio_start=audio_start)
    source = open_audio(made.path)
    samples = source.read(0, source.frames)[:, 0]
    onset = int(np.argmax(np.abs(samples) > 0.05)) / source.sample_rate  # the tone begins
    with VideoReader(made.path) as reader:
        origin = reader.info.audio_start
        assert reader.times[0] == pytest.approx(video_start - origin, abs=1e-3)
        # The tone was written to start at container time `audio_start`; on the timeline the
        # audio decoder puts it at `onset`. The same shift applies to the frames.
        assert onset == pytest.approx(audio_start - origin, abs=2e-3)
        shift = reader.times[0] - (made.times[0] - origin)
        assert shift == pytest.approx(0.0, abs=1e-6)
        if video_start > 0:
            assert reader.index_at(0.0) == 0 and reader.index_at(video_start + 0.041) == 1


# -- orientation and sizes -------------------------------------------------------------------
@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotation_metadata_is_applied(video_maker: MakeVideo, rotation: int) -> None:
    made = video_maker(f"rot{rotation}.mp4", size=(160, 96), frames=12, rotation=rotation)
    info = probe_video(made.path)
    assert info is not None and info.rotation == rotation
    assert (info.display_width, info.display_height) == made.display_size
    with VideoReader(made.path) as reader:
        for index in (0, 5, 11):
            image = reader.frame(index)
            assert image.shape[:2] == (made.display_size[1], made.display_size[0])
            assert image.flags.c_contiguous
            assert read_frame_number(image) == index  # upright: marker top-left, digits read
    unrotated = decode_all_plainly(made.path)[5]
    assert read_frame_number(unrotated) is None  # the stored picture alone is not upright


def test_info_command_shows_rotation_and_variable_rate(
    video_maker: MakeVideo, capsys: pytest.CaptureFixture[str]
) -> None:
    from isolde.cli.main import main

    made = video_maker("phone.mp4", size=(160, 96), frames=20, rotation=90, vfr=True)
    assert main(["info", str(made.path)]) == 0
    text = capsys.readouterr().out
    assert "rotation  90° clockwise (shown as 96×160)" in text
    assert "(variable)" in text
    assert main(["info", str(made.path), "--json"]) == 0
    video = json.loads(capsys.readouterr().out)["video"]
    assert video["rotation"] == 90 and video["display_width"] == 96 and video["vfr"] is True
    plain = video_maker("plain.mp4", frames=5)
    assert main(["info", str(plain.path)]) == 0
    assert "rotation" not in capsys.readouterr().out


@pytest.mark.parametrize("size", [(161, 97), (99, 75)])
def test_odd_sizes(video_maker: MakeVideo, size: tuple[int, int]) -> None:
    made = video_maker("odd.mp4", size=size, frames=20, gop=6)
    with VideoReader(made.path) as reader:
        assert (reader.info.display_width, reader.info.display_height) == size
        for index in (13, 2, 19):
            image = reader.frame(index)
            assert image.shape == (size[1], size[0], 3) and image.flags.c_contiguous
            assert read_frame_number(image) == index


def test_other_containers(video_maker: MakeVideo) -> None:
    for name in ("v.mkv", "v.mov"):
        made = video_maker(name, frames=30, gop=8, video_start=0.2)
        with VideoReader(made.path) as reader:
            assert [read_frame_number(reader.frame(i)) for i in (29, 3, 17)] == [29, 3, 17]
            assert reader.times[0] == pytest.approx(0.2 - reader.info.audio_start, abs=1e-3)


# -- what is not a plain video ---------------------------------------------------------------
def test_video_without_sound(video_maker: MakeVideo) -> None:
    made = video_maker("silent.mp4", frames=20, audio=False)
    info = probe_video(made.path)
    assert info is not None and not info.has_audio and info.audio_start == 0.0
    with VideoReader(made.path) as reader:
        assert reader.times[0] == 0.0
        assert read_frame_number(reader.frame(19)) == 19


def test_sound_without_picture_is_refused_clearly(tmp_path: Path) -> None:
    path = make_audio_only(tmp_path / "sound.m4a")
    assert probe_video(path) is None
    with pytest.raises(AudioFileError, match="has no picture"):
        VideoReader(path)


def test_corrupt_picture_gives_one_clear_error(corrupt_video: Path) -> None:
    with pytest.raises(AudioFileError) as caught:
        VideoReader(corrupt_video)
    message = str(caught.value)
    assert "corrupt.mp4" in message and "cannot be decoded" in message
    assert "sound can still be opened" in message
    assert open_audio(corrupt_video).frames > 0  # the audio still opens


def test_a_file_cut_between_keyframes_starts_at_its_first_keyframe(
    video_maker: MakeVideo, tmp_path: Path
) -> None:
    import av

    made = video_maker("whole.mp4", frames=40, gop=12, audio=False)
    cut = tmp_path / "cut.mp4"
    with av.open(str(made.path)) as src, av.open(str(cut), "w") as dst:
        stream = src.streams.video[0]
        out = dst.add_stream_from_template(stream)
        for n, packet in enumerate(src.demux(stream)):
            if packet.dts is not None and n >= 5:  # drop the first keyframe and a few after it
                packet.stream = out
                dst.mux(packet)
    with VideoReader(cut) as reader:
        assert reader.frame_count == 28
        assert [read_frame_number(reader.frame(i)) for i in (0, 27, 1)] == [12, 39, 13]
        assert reader.times[0] == pytest.approx(made.times[12])


def test_not_a_media_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("not a video at all\n" * 20)
    with pytest.raises(AudioFileError, match=r"notes\.mp4"):
        VideoReader(path)


# -- the cache -------------------------------------------------------------------------------
def test_cache_delivers_the_requested_frame_and_prefetches(numbered_video: MadeVideo) -> None:
    ready: list[int] = []
    with FrameCache(numbered_video.path, capacity=16, prefetch=4, on_ready=ready.append) as cache:
        assert cache.get(30) is None  # nothing asked yet: nothing there, and no waiting
        cache.request(30)
        image = cache.wait(30, timeout=10)
        assert image is not None and read_frame_number(image) == 30
        assert cache.frame_count == 75
        last = cache.wait(34, timeout=10)  # prefetched without being asked
        assert last is not None and read_frame_number(last) == 34
        assert cache.get(35) is None  # beyond the window
    # close() joined the worker, so every on_ready call it made has returned
    assert set(range(30, 35)) <= set(ready)


def test_cache_latest_request_wins_and_capacity_holds(numbered_video: MadeVideo) -> None:
    with FrameCache(numbered_video.path, capacity=6, prefetch=2) as cache:
        assert cache.wait_open(10)
        for index in (5, 60, 20, 40):  # quick succession: only the last is sure to be made
            cache.request(index)
        image = cache.wait(40, timeout=10)
        assert image is not None and read_frame_number(image) == 40
        assert cache.wait(42, timeout=10) is not None
        for index in range(0, 75, 7):
            cache.request(index)
            assert cache.wait(index, timeout=10) is not None
            assert len(cache.cached()) <= 6
        assert read_frame_number(cache.get(70)) == 70  # type: ignore[arg-type]


def test_cache_memory_bound_limits_big_pictures(numbered_video: MadeVideo) -> None:
    frame_bytes = 160 * 120 * 3
    with FrameCache(numbered_video.path, capacity=40, max_bytes=10 * frame_bytes) as cache:
        for index in (0, 20, 40, 60):
            cache.request(index)
            assert cache.wait(index + 8, timeout=10) is not None
        assert cache.limit == 10
        assert len(cache.cached()) == 10


def test_cache_close_ends_its_thread(numbered_video: MadeVideo) -> None:
    cache = FrameCache(numbered_video.path)
    assert cache.alive
    cache.request(50)
    cache.close()
    assert not cache.alive
    assert cache.get(50) is None


def test_cache_reports_a_corrupt_video(corrupt_video: Path) -> None:
    cache = FrameCache(corrupt_video)
    try:
        assert not cache.wait_open(10)
        assert cache.error is not None and "cannot be decoded" in cache.error
        cache.request(0)
        assert cache.wait(0, timeout=1) is None
    finally:
        cache.close()
    assert not cache.alive
