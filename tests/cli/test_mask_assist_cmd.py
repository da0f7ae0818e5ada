"""`isolde mask VIDEO --assist TEXT / --assist-point X,Y@T`: the SAM 3 cloud mask assist from the
command line, against the fake cloud over real HTTP (and, for Ctrl-C, a real `python -m isolde`).

The clip: a dark ground, a bright box A moving left to right and a bright disc B that stays put.
The fake's SAM 3 calls bright shapes objects (a description: all of them; a click: the shape
under it, followed through the clip; a negative click: not that shape), so the mask is known.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest

from fakecloud import FakeCloud, Faults
from isolde.cli.main import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "video"))
from video_factory import make_video

W, H, FRAMES, FPS = 160, 120, 40, 25.0
DISC = (130, 95)  # disc B's centre
GROUND = (10, 110)  # a background pixel (x, y), far from both shapes
REPO = Path(__file__).resolve().parents[2]


def box_a(i: int) -> tuple[int, int, int, int]:
    return 8 + 2 * i, 20, 28, 20


def draw(i: int, width: int, height: int) -> np.ndarray:
    img = np.full((height, width, 3), 25, np.uint8)
    yy, xx = np.mgrid[:height, :width]
    img[(xx - DISC[0]) ** 2 + (yy - DISC[1]) ** 2 <= 12**2] = 235
    x, y, w, h = box_a(i)
    img[y : y + h, x : x + w] = 235
    return img


def centre_a(i: int) -> tuple[int, int]:
    x, y, w, h = box_a(i)
    return x + w // 2, y + h // 2


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("assist_cli") / "clip.mp4"
    make_video(path, size=(W, H), fps=FPS, frames=FRAMES, audio=False, pattern=draw, crf=10)
    return path


def gray_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="gray") for f in container.decode(video=0)]


def submitted(cloud: FakeCloud) -> dict:
    [hit] = [h for h in cloud.hits if h.method == "POST" and "sam-3/video-rle" in h.path]
    return hit.json


def answered(cloud: FakeCloud) -> list[np.ndarray]:
    """The fake model's masks, decoded with the client's own decoder."""
    from isolde.video import assist

    [job] = [j for j in cloud.jobs.values() if j.endpoint == "fal-ai/sam-3/video-rle"]
    return list(assist.rle_masks(job.outputs["rle"], W, H))


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[dict, str]:
    code = main(["mask", *argv, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out), captured.err


def test_a_description_masks_every_such_object(cloud, clip, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "mask.mp4"
    data, err = run_json(capsys, str(clip), "--assist", " bright things ", "--out", str(out))
    assert submitted(cloud)["prompt"] == "bright things"
    assert "point_prompts" not in submitted(cloud)
    usd = math.ceil(FRAMES / 16) * 0.005
    assert data["cost_usd"] == pytest.approx(usd)
    assert "$0.005 per 16 frames" in data["cost_note"] and "40 frames" in data["cost_note"]
    assert f"about ${usd:.3f}" in err
    # The price is told before the job is queued (and the upload, which comes first, is silent).
    assert err.index("about $") < err.index("queued")
    assert data["output"] == str(out) and data["frames"] == FRAMES
    assert (data["width"], data["height"], data["polarity"]) == (W, H, "black_is_target")
    assert data["assist"]["text"] == "bright things" and data["assist"]["points"] == []
    assert data["keyframes"][0]["frame"] == 0 and data["tracked"] == 0
    frames, truth = gray_frames(out), answered(cloud)
    assert len(frames) == FRAMES
    for i, (frame, want) in enumerate(zip(frames, truth, strict=True)):
        assert np.isin(frame, (0, 255)).all(), i  # exactly black and white
        black = frame == 0
        assert np.count_nonzero(black == want) / black.size >= 0.98, i
        (ax, ay), (dx, dy), (gx, gy) = centre_a(i), DISC, GROUND
        assert frame[ay, ax] == 0 and frame[dy, dx] == 0, i  # fal: black = target
        assert frame[gy, gx] == 255, i
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("invert", [False, True])
def test_clicks_pick_one_object(cloud, clip, tmp_path, capsys, invert) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "click.mkv"
    ax, ay = centre_a(5)
    argv = [
        str(clip),
        "--assist-point",
        f"{ax}.4,{ay}@0.2",
        "--assist-not",
        f"{DISC[0]},{DISC[1]}@0:00.04",
        "--out",
        str(out),
    ]
    data, _ = run_json(capsys, *argv, *(["--invert"] if invert else []))
    body = submitted(cloud)
    assert body["prompt"] == ""
    assert body["point_prompts"] == [
        {"x": ax, "y": ay, "label": 1, "frame_index": 5, "object_id": 1},
        {"x": DISC[0], "y": DISC[1], "label": 0, "frame_index": 1, "object_id": 1},
    ]
    points = data["assist"]["points"]
    assert [(p["frame"], p["positive"]) for p in points] == [(5, True), (1, False)]
    assert data["assist"]["points"][0]["time"] == pytest.approx(0.2, abs=1e-3)
    assert data["invert"] is invert
    target, rest = (255, 0) if invert else (0, 255)
    for i, frame in enumerate(gray_frames(out)):
        ax, ay = centre_a(i)
        assert frame[ay, ax] == target, i
        assert frame[DISC[1], DISC[0]] == rest and frame[GROUND[1], GROUND[0]] == rest, i


def test_text_output_is_the_path_and_the_price(cloud, clip, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "m.mp4"
    assert main(["mask", str(clip), "--assist", "x", "--quiet", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(out)
    assert captured.err.startswith("isolde: SAM 3 on fal") and "about $0.015" in captured.err
    assert "%" not in captured.err  # --quiet: the price, but no progress


def test_a_missing_key_exits_4_before_any_upload(  # type: ignore[no-untyped-def]
    cloud, clip, tmp_path, capsys, monkeypatch
) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    monkeypatch.delenv("FAL_KEY")
    out = tmp_path / "mask.mp4"
    assert main(["mask", str(clip), "--assist", "the dog", "--out", str(out)]) == 4
    err = capsys.readouterr().err
    assert err.startswith("isolde: error:") and "FAL_KEY" in err and "keyring" in err
    assert "about $" not in err and "Traceback" not in err
    assert cloud.hits == [] and not out.exists()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--assist-point", "200,10@0"], "(200, 10) is outside the 160×120 picture"),
        (["--assist-point=-1,10@0"], "outside the 160×120 picture"),
        (["--assist-point", "10,120@0"], "outside the 160×120 picture"),
        (["--assist-point", "10,10@0:30"], "after the end of the video"),
        (["--assist-point", "10,10@soon"], "bad time"),
        (["--assist-point", "10,10@-1"], "bad time"),
        (["--assist-point", "10,10"], "write X,Y@T"),
        (["--assist-point", "10@0"], "two numbers X,Y"),
        (["--assist-point", "10,nan@0"], "two numbers X,Y"),
        (["--assist-not", "10,10@0"], "click on it at least once"),
        (["--assist", "   "], "click on it at least once"),
    ],
)
def test_bad_points_exit_3_before_sending(cloud, clip, tmp_path, capsys, argv, needle) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "mask.mp4"
    assert main(["mask", str(clip), *argv, "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("isolde: error:") and needle in err, err
    assert "Traceback" not in err and "about $" not in err
    assert cloud.hits == [] and not out.exists()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--assist", "x", "--box", "1,1,9,9@0"], "two ways to make the mask; use one"),
        (["--assist-point", "9,9@0", "--track"], "--track and --refine go with --box"),
        (["--assist", "x", "--refine"], "--track and --refine go with --box"),
        ([], "--box X,Y,W,H@T (drawn) or --assist TEXT"),
        (["--assist-threshold", "0.3"], "--assist-threshold goes with --assist"),
        (["--assist", "x", "--assist-threshold", "1.5"], "--assist-threshold: 1.5 is outside 0–1"),
    ],
)
def test_mixing_boxes_and_assist_is_a_usage_error(  # type: ignore[no-untyped-def]
    cloud, clip, tmp_path, capsys, argv, needle
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["mask", str(clip), *argv, "--out", str(tmp_path / "m.mp4")])
    assert exc.value.code == 2
    assert needle in capsys.readouterr().err
    assert cloud.hits == [] and not list(tmp_path.iterdir())


def test_ctrl_c_cancels_the_remote_job_with_exit_5(clip, tmp_path) -> None:  # type: ignore[no-untyped-def]
    faults = Faults(queue_positions=list(range(2000, 0, -1)), step_s=0.05)
    with FakeCloud(faults=faults) as cloud:
        env = {**os.environ, **cloud.env(), "PYTHONPATH": str(REPO / "src")}
        out = tmp_path / "mask.mp4"
        proc = subprocess.Popen(
            [sys.executable, "-m", "isolde", "mask", str(clip), "--assist", "x", "--out", str(out)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        deadline, line = time.monotonic() + 60, ""
        while time.monotonic() < deadline:  # interrupt while the job waits in fal's queue
            line = proc.stderr.readline()
            if "queued" in line or not line:
                break
        proc.send_signal(signal.SIGINT)
        assert "queued" in line
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 5, err
        assert "cancelled" in err and "Traceback" not in err
        assert cloud.hits_to("/fal/queue/fal-ai/sam-3/requests/", "PUT")  # cancelled remotely
        assert next(iter(cloud.jobs.values())).cancelled
        assert list(tmp_path.iterdir()) == []  # no mask, no temp file
