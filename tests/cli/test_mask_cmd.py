"""`isolde mask VIDEO --box X,Y,W,H@T... [--track] [--invert] --out MASK.mp4`: end to end on
generated videos, through `isolde.cli.main.main` and, for Ctrl-C, a real `python -m isolde`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "video"))
from video_factory import make_audio_only, make_moving_box_video, make_video

from isolde.cli.main import main

Truth = list[tuple[int, int, int, int]]


@pytest.fixture(scope="module")
def box_video(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    """320×240, 25 fps, 50 frames: a textured 48×40 box moving diagonally (with sound)."""
    path = tmp_path_factory.mktemp("mask_cli") / "box.mp4"
    return path, make_moving_box_video(path)


def gray_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="gray") for f in container.decode(video=0)]


def black_box(frame: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.flatnonzero((frame == 0).any(axis=1)), np.flatnonzero((frame == 0).any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)


def box_arg(box: tuple[int, ...], t: float) -> str:
    return ",".join(str(v) for v in box) + f"@{t}"


def test_boxes_become_a_black_on_white_mask(
    box_video: tuple[Path, Truth], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, truth = box_video
    out = tmp_path / "mask.mp4"
    argv = [
        "mask",
        str(path),
        "--box",
        box_arg(truth[0], 0),
        "--box",
        box_arg(truth[40], 1.6),
        "--out",
        str(out),
        "--json",
        "--quiet",
    ]
    assert main(argv) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert captured.err == ""
    assert data["output"] == str(out) and data["frames"] == 50
    assert (data["width"], data["height"], data["polarity"]) == (320, 240, "black_is_target")
    assert [k["frame"] for k in data["keyframes"]] == [0, 40] and data["tracked"] == 0
    frames = gray_frames(out)
    assert len(frames) == 50
    assert all(np.isin(f, (0, 255)).all() for f in frames)  # exactly black and white
    assert black_box(frames[0]) == truth[0] and black_box(frames[40]) == truth[40]
    assert black_box(frames[49]) == truth[40]  # after the last box, it holds


def test_track_follows_the_object_and_invert_swaps(
    box_video: tuple[Path, Truth], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, truth = box_video
    out = tmp_path / "tracked.mkv"
    argv = [
        "mask",
        str(path),
        "--box",
        box_arg(truth[10], 0.4),
        "--track",
        "--invert",
        "--provider",
        "fal",
        "--out",
        str(out),
        "--json",
    ]
    assert main(argv) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["tracked"] == 49 and data["lost"] == [] and data["invert"] is True
    assert "tracking" in captured.err and "rendering" in captured.err  # progress on stderr
    frames = gray_frames(out)
    for i in (0, 25, 49):  # inverted: the object is white on black
        x, y, w, h = black_box(255 - frames[i])
        tx, ty, tw, th = truth[i]
        assert abs(x + w / 2 - tx - tw / 2) <= 3 and abs(y + h / 2 - ty - th / 2) <= 3, i


def test_a_lost_object_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ground = np.random.default_rng(4).integers(40, 216, (240, 320, 3), dtype=np.uint8)
    ground = np.ascontiguousarray(np.repeat(np.repeat(ground[:30, :40], 8, 0), 8, 1))
    checker = (np.indices((40, 48)).sum(axis=0) // 6) % 2
    sprite = np.where(checker[..., None] == 1, (250, 210, 30), (30, 60, 220)).astype(np.uint8)

    def draw(index: int, width: int, height: int) -> np.ndarray:
        image = ground.copy()
        if index < 12:  # the object leaves the picture's content on frame 12
            image[30 + 3 * index : 70 + 3 * index, 40 + 4 * index : 88 + 4 * index] = sprite
        return image

    video = make_video(
        tmp_path / "gone.mp4", size=(320, 240), frames=25, pattern=draw, crf=12, audio=False
    ).path
    out = tmp_path / "gone-mask.mp4"
    assert (
        main(["mask", str(video), "--box", "40,30,48,40@0", "--track", "--out", str(out), "--json"])
        == 0
    )
    captured = capsys.readouterr()
    lost = json.loads(captured.out)["lost"]
    assert len(lost) == 1 and 12 <= lost[0]["frame"] <= 14
    assert f"lost the object on frame {lost[0]['frame']}" in captured.err


def test_text_output_is_the_path(
    box_video: tuple[Path, Truth], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, truth = box_video
    out = tmp_path / "m.mov"
    assert main(["mask", str(path), "--box", box_arg(truth[0], 0), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(out) and "100.0%" in captured.err


@pytest.mark.parametrize(
    ("box", "needle"),
    [
        ("300,10,48,40@0", "reaches outside the 320×240 picture"),
        ("-1,10,48,40@0", "reaches outside"),
        ("10,10,0,40@0", "at least 1 pixel"),
        ("10,10,48@0", "four numbers"),
        ("10,10,48,nan@0", "four numbers"),
        ("10,10,48,40", "X,Y,W,H@T"),
        ("10,10,48,40@soon", "bad time"),
        ("10,10,48,40@-2", "bad time"),
        ("10,10,48,40@0:30", "after the end of the video"),
    ],
)
def test_bad_boxes_exit_3(
    box: str,
    needle: str,
    box_video: tuple[Path, Truth],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _ = box_video
    out = tmp_path / "mask.mp4"
    assert main(["mask", str(path), f"--box={box}", "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("isolde: error:") and needle in err and "Traceback" not in err
    assert not out.exists()


def test_bad_inputs_and_outputs_exit_3(
    box_video: tuple[Path, Truth], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, truth = box_video
    box = box_arg(truth[0], 0)
    text = tmp_path / "notes.txt"
    text.write_text("not a video\n" * 40)
    sound = make_audio_only(tmp_path / "sound.m4a")
    cases = [
        ([str(text), "--out", str(tmp_path / "a.mp4")], "notes.txt: has no picture"),
        ([str(sound), "--out", str(tmp_path / "b.mp4")], "has no picture"),
        ([str(tmp_path / "missing.mp4"), "--out", str(tmp_path / "c.mp4")], "no such file"),
        ([str(path), "--out", str(path)], "that is the input video"),
        ([str(path), "--out", str(tmp_path / "mask.gif")], "name the output"),
        ([str(path), "--out", str(tmp_path / "d.mp4"), "--provider", "segmind"], "no mask video"),
        ([str(path), "--out", str(tmp_path / "e.mp4"), "--refine"], "add --track"),
        ([str(path), "--out", str(tmp_path / "f.mp4"), "--box", "1,1,9,9@0.01"], "same frame"),
    ]
    for args, needle in cases:
        assert main(["mask", args[0], "--box", box, *args[1:]]) == 3, args
        err = capsys.readouterr().err
        assert err.startswith("isolde: error:") and needle in err, (args, err)
        assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "sound.m4a"]
    with pytest.raises(SystemExit) as exc:  # no --box at all: a usage error
        main(["mask", str(path), "--out", str(tmp_path / "g.mp4")])
    assert exc.value.code == 2


def test_ctrl_c_exits_5_and_leaves_no_file(tmp_path: Path) -> None:
    video = tmp_path / "long.mp4"
    truth = make_moving_box_video(video, frames=100, audio=False)
    out = tmp_path / "mask.mp4"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "isolde",
            "mask",
            str(video),
            "--box",
            box_arg(truth[0], 0),
            "--track",
            "--refine",
            "--out",
            str(out),
        ],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    deadline, line = time.monotonic() + 120, ""
    while time.monotonic() < deadline:  # interrupt once the mask video is being written
        line = proc.stderr.readline()
        if "rendering" in line or not line:
            break
    proc.send_signal(signal.SIGINT)
    assert "rendering" in line
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 5, err
    assert "cancelled" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.mp4"]  # no mask, no temp file
