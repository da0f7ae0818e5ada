"""Visual separation of a selection against the fake fal cloud: only the cut video and the cut
mask go up (range plus 2 s context, in step), and the result is placed back at its time with
target + residual = input exactly; the stereo image is kept."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from fakecloud import FakeCloud
from fakecloud.testing import fast_classes, write_wav
from isolde.audio import OutputFormat, open_audio
from isolde.cli.main import main
from isolde.core.masks import MaskKeyframe, MaskObject, MaskShape
from isolde.jobs.runner import run_to_take
from isolde.providers.base import Request, RequestKind, TimeRange
from isolde.providers.fal import FalProvider
from isolde.providers.selection import run_request
from isolde.video.frames import VideoReader
from isolde.video.mask_video import read_mask_video, render_mask_video
from isolde.video.mux import mux

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "video"))
from video_factory import make_video, read_frame_number

FPS, SECONDS, RATE = 25, 8.0, 48_000


@pytest.fixture
def scene(tmp_path: Path) -> tuple[Path, Path]:
    """(video, mask): 8 s numbered frames with a stereo soundtrack, low and high tones, the right
    channel quieter (FLAC in MKV, so the input's samples are known exactly), and a mask of a
    box that moves."""
    picture = make_video(tmp_path / "picture.mp4", seconds=SECONDS, fps=FPS, audio=False).path
    t = np.arange(round(SECONDS * RATE)) / RATE
    left = 0.3 * np.sin(2 * np.pi * 200 * t) + 0.2 * np.sin(2 * np.pi * 1500 * t)
    right = 0.4 * left + 0.1 * np.sin(2 * np.pi * 700 * t)
    sound = np.stack([left, right], axis=1)
    wav = write_wav(tmp_path / "sound.wav", sound, RATE, subtype="PCM_24")
    video = mux(picture, wav, tmp_path / "scene.mkv").out_path
    box = MaskObject(
        "box",
        keyframes=(
            MaskKeyframe(0, (MaskShape("rect", ((10, 10), (60, 50))),)),
            MaskKeyframe(199, (MaskShape("rect", ((90, 60), (150, 110))),)),
        ),
    )
    mask = render_mask_video(video, [box], tmp_path / "mask.mp4").path
    return video, mask


def uploaded(cloud: FakeCloud, field: str, tmp_path: Path) -> Path:
    [submit] = cloud.hits_to("sam-audio/visual-separate", "POST")
    data = cloud.resolve(submit.json[field])
    assert data is not None
    path = tmp_path / f"uploaded-{field}.mp4"
    path.write_bytes(data)
    return path


def visual(video: Path, mask: Path | None, selection: TimeRange) -> Request:
    return Request(
        RequestKind.VISUAL,
        str(video),
        prompt="the box",
        video_path=str(video),
        mask_path=str(mask) if mask else None,
        options={"acceleration": "fast", "reranking_candidates": 2},
        selection=selection,
    )


def test_only_the_cut_goes_up_and_the_result_sums_to_the_input(
    fal: FalProvider, cloud: FakeCloud, scene: tuple[Path, Path], tmp_path: Path
) -> None:
    video, mask = scene
    work = tmp_path / "work"
    work.mkdir()
    result = run_request(fal, visual(video, mask, TimeRange(3.0, 4.0)), work)
    # The video sent: frames 25..149 (1 s to 6 s: the range plus 2 s each side), upright.
    sent = uploaded(cloud, "video_url", tmp_path)
    with VideoReader(sent) as reader:
        assert reader.frame_count == 125
        assert [read_frame_number(reader.frame(i)) for i in (0, 1, 124)] == [25, 26, 149]
        assert reader.times[-1] == pytest.approx(124 / FPS, abs=1e-3)
    # … with the input's own sound over that stretch.
    with open_audio(sent) as got, open_audio(video) as source:
        want = source.read(RATE, 6 * RATE).astype(np.float64)
        heard = got.read(0, len(want)).astype(np.float64)
    inner = slice(2048, len(want) - 2048)
    assert np.sum((heard[inner] - want[inner]) ** 2) < 1e-3 * np.sum(want[inner] ** 2)  # 30 dB
    # The mask sent: the same frames of the mask, exactly.
    cut = list(read_mask_video(uploaded(cloud, "mask_video_url", tmp_path)))
    whole = list(read_mask_video(mask))
    assert len(cut) == 125
    assert all(np.array_equal(a, b) for a, b in zip(cut, whole[25:150], strict=True))
    [submit] = cloud.hits_to("sam-audio/visual-separate", "POST")
    assert submit.json["acceleration"] == "fast" and submit.json["reranking_candidates"] == 2
    # Placed back: full length, target + residual = input, silence outside the selection.
    with (
        open_audio(video) as source,
        open_audio(result.files["target"]) as target,
        open_audio(result.files["residual"]) as residual,
    ):
        x, t, r = (s.read().astype(np.float64) for s in (source, target, residual))
    assert t.shape == r.shape == x.shape == (round(SECONDS * RATE), 2)
    np.testing.assert_allclose(t + r, x, atol=1e-6)
    outside = np.r_[0 : round(2.97 * RATE), round(4.03 * RATE) : len(t)]
    assert np.abs(t[outside]).max() == 0
    assert np.abs(t[round(3.1 * RATE) : round(3.9 * RATE)]).max() > 0.01
    assert result.details["assembled"]["windows"][0]["sent_from_s"] == pytest.approx(1.0)


def test_a_take_of_a_selection_keeps_the_stereo_image(
    fal: FalProvider, cloud: FakeCloud, scene: tuple[Path, Path], tmp_path: Path
) -> None:
    video, _ = scene
    outcome = run_to_take(
        fal, visual(video, None, TimeRange(0.5, 1.5)), tmp_path / "take", OutputFormat()
    )
    [submit] = cloud.hits_to("sam-audio/visual-separate", "POST")
    assert "mask_video_url" not in submit.json
    with (
        open_audio(video) as source,
        open_audio(outcome.outputs["target"]) as target,
        open_audio(outcome.outputs["residual"]) as residual,
    ):
        x, t, r = (s.read().astype(np.float64) for s in (source, target, residual))
    np.testing.assert_allclose(t + r, x, atol=1e-5)
    part = slice(round(0.6 * RATE), round(1.4 * RATE))
    # Re-projected onto the source's channels: the quieter right channel stays quieter.
    assert np.std(t[part, 1]) < 0.8 * np.std(t[part, 0])
    assert outcome.take.request["selection"] == {"start": 0.5, "end": 1.5}


def test_the_command_line_sends_the_cut(
    cloud: FakeCloud,
    scene: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`isolde separate VIDEO --provider fal --video --mask M --prompt … --range A-B`, with
    fal's options for visual requests (reranking, acceleration, chunking)."""
    fast_classes(monkeypatch)
    video, mask = scene
    options = ["reranking_candidates=3", "acceleration=quality", "max_chunk_duration=30"]
    code = main(
        ["separate", str(video), "--provider", "fal", "--video", "--mask", str(mask)]
        + ["--prompt", "the box", "--range", "5-6", "--out", str(tmp_path / "take"), "--json"]
        + [arg for option in options for arg in ("--option", option)]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    [submit] = cloud.hits_to("sam-audio/visual-separate", "POST")
    body = submit.json
    assert (body["reranking_candidates"], body["acceleration"]) == (3, "quality")
    assert body["max_chunk_duration"] == 30 and body["prompt"] == "the box"
    with VideoReader(uploaded(cloud, "video_url", tmp_path)) as reader:  # 3 s to 8 s
        assert reader.frame_count == 125
        assert read_frame_number(reader.frame(0)) == 75
    assert len(list(read_mask_video(uploaded(cloud, "mask_video_url", tmp_path)))) == 125
    with open_audio(data["outputs"]["target"]) as target, open_audio(video) as source:
        assert (target.frames, target.channels) == (source.frames, 2)
        assert np.abs(target.read(0, round(4.9 * RATE))).max() == 0
