"""`isolde separate/inpaint --provider fal|segmind|audiolasso` end to end against the fake cloud."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from fakecloud import FakeCloud, Faults
from fakecloud.testing import fast_classes, make_video, noise, write_wav
from isolde.cli.main import main
from isolde.core.errors import ProviderError
from isolde.providers.base import Request, RequestKind
from isolde.providers.fal import FalProvider

SENTINEL = "sk-SENTINEL-123"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "clip.wav", noise(4.0, 44_100, channels=2), 44_100, "PCM_16")


def json_run(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code = main([*argv, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


@pytest.mark.parametrize(
    ("provider", "extra"),
    [
        ("fal", ["--prompt", "the dog"]),
        ("fal", ["--include", "1-2", "--exclude", "2-3", "--option", "acceleration=fast"]),
        ("fal", ["--prompt", "the dog", "--range", "1.5-2.5"]),
        ("segmind", ["--prompt", "the dog", "--option", "reranking_candidates=3"]),
        ("audiolasso", ["--prompt", "the dog", "--include", "0.5-1"]),
        ("audiolasso", ["--prompt", "the dog", "--range", "0-1"]),
    ],
)
def test_separate_with_each_provider(cloud, wav, tmp_path, capsys, provider, extra) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    data = json_run(capsys, "separate", str(wav), "--provider", provider, *extra, "--out", str(out))
    assert data["provider"] == provider and data["provider_request_id"]
    for role in ("target", "residual"):
        assert Path(data["outputs"][role]).exists()
    take = json.loads((out / "take.json").read_text())
    assert take["take"]["provider"] == provider
    assert take["take"]["provider_request_id"] == data["provider_request_id"]
    assert not [p for p in out.iterdir() if p.name.startswith(".isolde-work")]
    if "--range" in extra:
        x, _ = sf.read(wav, dtype="float64")
        t, _ = sf.read(data["outputs"]["target"], dtype="float64")
        r, _ = sf.read(data["outputs"]["residual"], dtype="float64")
        np.testing.assert_allclose(t + r, x, atol=1e-6)
        assert take["take"]["request"]["selection"]


def test_inpaint_with_fal(cloud, wav, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = json_run(
        capsys,
        "inpaint",
        str(wav),
        "--provider",
        "fal",
        "--region",
        "1-1.5",
        "--prompt",
        "rain on a tin roof",
        "--negative-prompt",
        "voices",
        "--seed",
        "9",
        "--steps",
        "20",
        "--option",
        "variant=medium",
        "--option",
        "output_format=wav",
        "--out",
        str(tmp_path / "fix"),
    )
    [submit] = cloud.hits_to("stable-audio-3/medium/audio-inpainting", "POST")
    assert submit.json["negative_prompt"] == "voices" and submit.json["seed"] == 9
    assert submit.json["num_inference_steps"] == 20
    fixed, _ = sf.read(data["outputs"]["inpainted"])
    assert fixed.shape == sf.read(wav)[0].shape


def test_visual_separation_with_video_and_mask(cloud, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    video = make_video(tmp_path / "scene.mp4")
    mask = make_video(tmp_path / "mask.mp4", shade=0)
    data = json_run(
        capsys,
        "separate",
        str(video),
        "--provider",
        "fal",
        "--video",
        "--mask",
        str(mask),
        "--prompt",
        "the man on the left",
        "--out",
        str(tmp_path / "v"),
    )
    [submit] = cloud.hits_to("sam-audio/visual-separate", "POST")
    assert submit.json["prompt"] == "the man on the left" and "mask_video_url" in submit.json
    assert Path(data["outputs"]["target"]).exists()


def test_missing_key_exits_4_naming_the_variable(cloud, wav, tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("FAL_KEY")
    out = tmp_path / "o"
    code = main(["separate", str(wav), "--provider", "fal", "--prompt", "x", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 4 and "set the environment variable FAL_KEY" in err
    assert not out.exists() and cloud.hits == []


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--provider", "fal", "--prompt", "x", "--option", "reranking_candidates=9"], "at most 4"),
        (["--provider", "fal", "--prompt", "x", "--option", "negative_prompt=x"], "inpaint"),
        (["--provider", "segmind", "--include", "0-1", "--prompt", "x"], "does not do spans"),
        (["--provider", "fal", "--prompt", "x", "--mask", "m.mp4"], "--mask goes with --video"),
        (["--provider", "fal", "--prompt", "x", "--range", "3-9"], "--range 3-9: must lie inside"),
        (["--provider", "fal", "--video", "--include", "0-1"], "do not apply to visual"),
        (["--provider", "audiolasso", "--include", "1-2"], "prompt"),
    ],
)
def test_bad_cloud_requests_exit_3(cloud, wav, tmp_path, capsys, argv, needle) -> None:  # type: ignore[no-untyped-def]
    code = main(["separate", str(wav), *argv, "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 3 and needle in err
    assert cloud.hits == []


def test_server_trouble_exits_4(cloud, wav, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["fal.submit"] = [503] * 10
    code = main(
        ["separate", str(wav), "--provider", "fal", "--prompt", "x", "--out", str(tmp_path / "o")]
    )
    assert code == 4 and "server problem" in capsys.readouterr().err
    assert not list((tmp_path / "o").glob("*.wav"))


def test_unknown_submit_state_is_told(cloud, wav, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["fal.submit"] = ["drop"]
    code = main(
        ["separate", str(wav), "--provider", "fal", "--prompt", "x", "--out", str(tmp_path / "o")]
    )
    err = capsys.readouterr().err
    assert code == 4 and "unknown:" in err and "did not send it again" in err


def test_providers_shows_readiness(cloud, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SEGMIND_API_KEY")
    data = json.loads((main(["providers", "--json"]), capsys.readouterr().out)[1])
    rows = {row["name"]: row for row in data["providers"]}
    assert set(rows) == {"local", "fal", "segmind", "audiolasso"}
    assert rows["fal"]["ready"] and rows["fal"]["key_source"] == "environment"
    assert not rows["segmind"]["ready"] and rows["segmind"]["key_source"] is None
    assert rows["fal"]["kinds"] == ["inpaint", "spans", "text", "visual"]
    assert rows["segmind"]["kinds"] == ["text"] and rows["audiolasso"]["kinds"] == ["spans", "text"]
    assert rows["fal"]["queue"] and not rows["segmind"]["queue"]
    assert any(o["name"] == "variant" for o in rows["fal"]["options"])
    assert main(["providers"]) == 0
    text = capsys.readouterr().out
    assert "ready: key from $FAL_KEY" in text and "not ready: set SEGMIND_API_KEY" in text
    assert "fake-fal-key" not in text


def test_ctrl_c_cancels_a_queued_job_with_exit_5(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    faults = Faults(queue_positions=list(range(2000, 0, -1)), step_s=0.05)
    with FakeCloud(faults=faults) as cloud:
        media = write_wav(tmp_path / "clip.wav", noise(2.0))
        env = {**os.environ, **cloud.env(), "PYTHONPATH": str(REPO / "src")}
        out = tmp_path / "o"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "isolde",
                "separate",
                str(media),
                "--provider",
                "fal",
                "--prompt",
                "x",
                "--out",
                str(out),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if "queued" in proc.stderr.readline():
                break
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 5, err
        assert cloud.hits_to("/cancel", "PUT")
        assert not list(out.glob("*.wav")) and not (out / "take.json").exists()


def test_the_key_never_leaks(tmp_path, capsys, caplog, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A whole job per provider at DEBUG, then a refused key that the server echoes back."""
    fast_classes(monkeypatch)
    caplog.set_level(logging.DEBUG)
    media = write_wav(tmp_path / "clip.wav", noise(3.0, 48_000, channels=2))
    errors: list[str] = []
    with FakeCloud(
        fal_key=SENTINEL, segmind_key=SENTINEL, audiolasso_key=SENTINEL, faults=Faults(step_s=0.002)
    ) as cloud:
        for name, value in cloud.env(keys=False).items():
            monkeypatch.setenv(name, value)
        for env in ("FAL_KEY", "SEGMIND_API_KEY", "AUDIOLASSO_API_KEY"):
            monkeypatch.setenv(env, SENTINEL)
        runs = [
            ["separate", str(media), "--provider", "fal", "--prompt", "x", "--range", "1-2"],
            ["inpaint", str(media), "--provider", "fal", "--region", "1-1.2", "--prompt", "x"],
            ["separate", str(media), "--provider", "segmind", "--prompt", "x"],
            ["separate", str(media), "--provider", "audiolasso", "--prompt", "x"],
        ]
        for i, argv in enumerate(runs):
            assert main([*argv, "--json", "--out", str(tmp_path / f"o{i}")]) == 0
        monkeypatch.setenv("FAL_KEY", SENTINEL + "-revoked")  # the fake echoes bad keys
        monkeypatch.setenv("SEGMIND_API_KEY", SENTINEL + "-revoked")
        for provider in ("fal", "segmind"):
            code = main(
                [
                    "separate",
                    str(media),
                    "--provider",
                    provider,
                    "--prompt",
                    "x",
                    "--out",
                    str(tmp_path / "bad"),
                ]
            )
            assert code == 4
        try:
            FalProvider().run(Request(RequestKind.TEXT, str(media), prompt="x"), tmp_path / "w")
        except ProviderError as exc:
            errors.append(f"{exc!r} {exc} {exc.__cause__!r} {exc.__context__!r}")
    captured = capsys.readouterr()
    assert "[redacted]" in captured.err  # the echo was there, and was scrubbed
    texts = {
        "logs": "\n".join(r.getMessage() for r in caplog.records) + caplog.text,
        "stdout": captured.out,
        "stderr": captured.err,
        "errors": "\n".join(errors),
        "takes": "\n".join(p.read_text() for p in tmp_path.rglob("take.json")),
    }
    assert len(caplog.records) > 20 and texts["takes"]
    for where, text in texts.items():
        assert SENTINEL not in text, f"the key leaked into {where}"


def test_the_fake_cloud_runs_by_hand(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`python tests/fakecloud/__main__.py` prints the exports; a real job then works with them."""
    proc = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "tests" / "fakecloud" / "__main__.py"),
            "--queue",
            "1",
            "--step",
            "0.01",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        exports = {}
        while len(exports) < 7:
            line = proc.stdout.readline()
            assert line, "the fake cloud stopped before printing its settings"
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").strip().partition("=")
                exports[name] = value
        for name, value in exports.items():
            monkeypatch.setenv(name, value)
        fast_classes(monkeypatch)
        media = write_wav(tmp_path / "clip.wav", noise(1.0))
        data = json_run(
            capsys,
            "separate",
            str(media),
            "--provider",
            "audiolasso",
            "--prompt",
            "x",
            "--out",
            str(tmp_path / "o"),
        )
        assert Path(data["outputs"]["target"]).exists()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
