"""The `isolde` command end to end on generated audio: outputs, --json, exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from cli_signals import RATE, voice_over_noise

from isolde.cli.main import main
from isolde.core.errors import ProviderError
from isolde.providers import registry
from isolde.providers.local import LocalProvider


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_info_json_and_text(noisy_wav: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "info", str(noisy_wav))
    assert data["sample_rate"] == RATE
    assert data["channels"] == 2
    assert data["duration"] == pytest.approx(6.0)
    assert data["format"] == "WAV"
    assert data["kind"] == "audio"
    assert main(["info", str(noisy_wav)]) == 0
    out = capsys.readouterr().out
    assert "0:00:06.000" in out and "48000 Hz" in out


def test_info_on_a_video(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import av

    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w") as out:
        v = out.add_stream("libx264", rate=25)
        v.width, v.height, v.pix_fmt = 64, 48, "yuv420p"
        a = out.add_stream("aac", rate=RATE)
        a.layout = "stereo"
        for i in range(25):
            frame = av.VideoFrame.from_ndarray(
                np.full((48, 64, 3), i * 8, np.uint8), format="rgb24"
            )
            for packet in v.encode(frame):
                out.mux(packet)
        tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(RATE) / RATE, dtype=np.float32)
        audio = np.stack([tone, tone])  # 1 s: a whole number of 1024-sample AAC frames, padded
        audio = np.pad(audio, ((0, 0), (0, -RATE % 1024)))
        for start in range(0, audio.shape[1], 1024):
            chunk = np.ascontiguousarray(audio[:, start : start + 1024])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = RATE
            frame.pts = start
            for packet in a.encode(frame):
                out.mux(packet)
        for stream in (v, a):
            for packet in stream.encode():
                out.mux(packet)
    data = run_json(capsys, "info", str(path))
    assert data["kind"] == "video"
    assert data["video"]["width"] == 64 and data["video"]["fps"] == 25
    assert data["channels"] == 2
    assert data["duration"] == pytest.approx(1.0, abs=0.1)


def test_separate_writes_target_residual_and_take(
    noisy_wav: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    data = run_json(
        capsys,
        "separate",
        str(noisy_wav),
        "--exclude",
        "0-1.9",
        "--include",
        "2.5-5",
        "--out",
        str(out),
    )
    target, residual = Path(data["outputs"]["target"]), Path(data["outputs"]["residual"])
    assert target == out / "target.wav" and residual == out / "residual.wav"
    assert data["timing"]["processing_s"] > 0
    mix, _ = sf.read(noisy_wav, dtype="float64")
    t, rate = sf.read(target, dtype="float64")
    r, _ = sf.read(residual, dtype="float64")
    assert rate == RATE and t.shape == mix.shape == r.shape
    np.testing.assert_allclose(t + r, mix, atol=1e-6)
    # the noise-only stretch goes to the residual; the voice stays in the target
    assert np.sqrt(np.mean(t[:RATE] ** 2)) < 0.2 * np.sqrt(np.mean(mix[:RATE] ** 2))
    take = json.loads(Path(data["take"]).read_text())
    assert take["format"] == "isolde-take"
    assert take["take"]["provider"] == "local"
    assert [s["include"] for s in take["take"]["request"]["spans"]] == [False, True]
    assert take["take"]["timing"]["processing_s"] > 0
    assert take["media"]["sample_rate"] == RATE
    assert not [p for p in out.iterdir() if p.name.startswith(".isolde-work")]


@pytest.mark.parametrize(
    ("fmt", "suffix", "subtype"),
    [
        ("flac", ".flac", "PCM_24"),
        ("wav:16", ".wav", "PCM_16"),
        ("mp3", ".mp3", "MPEG_LAYER_III"),
    ],
)
def test_separate_output_formats(
    noisy_wav: Path, tmp_path: Path, capsys, fmt, suffix, subtype
) -> None:  # type: ignore[no-untyped-def]
    data = run_json(
        capsys,
        "separate",
        str(noisy_wav),
        "--exclude",
        "0-1.9",
        "--format",
        fmt,
        "--out",
        str(tmp_path / fmt.replace(":", "")),
    )
    for role in ("target", "residual"):
        path = Path(data["outputs"][role])
        assert path.suffix == suffix
        assert sf.info(path).subtype == subtype


def test_speech_prompt_without_spans_runs_offline(noisy_wav: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = run_json(
        capsys,
        "separate",
        str(noisy_wav),
        "--prompt",
        "the man speaking",
        "--out",
        str(tmp_path / "o"),
    )
    assert Path(data["outputs"]["target"]).exists()


def test_inpaint_replaces_only_the_region(noisy_wav: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = run_json(
        capsys,
        "inpaint",
        str(noisy_wav),
        "--region",
        "3.000-3.030",
        "--prompt",
        "voice",
        "--out",
        str(tmp_path / "fix"),
    )
    fixed, rate = sf.read(data["outputs"]["inpainted"], dtype="float64")
    mix, _ = sf.read(noisy_wav, dtype="float64")
    assert fixed.shape == mix.shape
    outside = np.r_[0 : int(2.9 * rate), int(3.13 * rate) : len(mix)]
    np.testing.assert_allclose(fixed[outside], mix[outside], atol=1e-6)
    take = json.loads((tmp_path / "fix" / "take.json").read_text())
    assert take["take"]["kind"] == "inpaint"


def test_times_in_clock_form(noisy_wav: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = run_json(
        capsys,
        "separate",
        str(noisy_wav),
        "--exclude",
        "0:00:00.0-0:00:01.500",
        "--out",
        str(tmp_path / "o"),
    )
    take = json.loads(Path(data["take"]).read_text())
    assert take["take"]["request"]["spans"][0]["end"] == 1.5


def test_providers_lists_local(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "providers")
    local = next(p for p in data["providers"] if p["name"] == "local")
    assert local["default"] and local["key_configured"] and local["key_env"] is None
    assert set(local["kinds"]) >= {"spans", "inpaint"}
    assert main(["providers"]) == 0
    assert "local" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["info", "missing.wav"], "no such file"),
        (["separate", "{wav}", "--exclude", "3-1"], "must be before end"),
        (["separate", "{wav}", "--exclude", "5-60"], "after the end of the media"),
        (["separate", "{wav}", "--exclude", "x-2"], "bad time"),
        (["separate", "{wav}", "--exclude", "0-1", "--option", "bogus=1"], "no such option"),
        (
            ["separate", "{wav}", "--exclude", "0-1", "--option", "reduction_db=loud"],
            "expected a number",
        ),
        (["separate", "{wav}", "--exclude", "0-1", "--option", "noequals"], "KEY=VALUE"),
        (["separate", "{wav}", "--prompt", "dog bark"], "exclude spans"),
        (["separate", "{wav}"], "nothing to go on"),
        (["inpaint", "{wav}"], "--region"),
        (["info", "{txt}"], "not an audio"),
    ],
)
def test_bad_input_exits_3_with_a_clear_message(
    argv: list[str],
    needle: str,
    noisy_wav: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    text = tmp_path / "notes.txt"
    text.write_text("not audio at all\n" * 50)
    argv = [a.format(wav=noisy_wav, txt=text) for a in argv]
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert err.startswith("isolde: error:") and needle in err
    assert not (tmp_path / "noisy-separated").exists()


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["separate"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["info", "a.wav", "--bogus"])
    assert exc.value.code == 2
    for flag, value in (("--provider", "nope"), ("--format", "aiff")):  # unknown choices
        with pytest.raises(SystemExit) as exc:
            main(["separate", "a.wav", "--exclude", "0-1", flag, value])
        assert exc.value.code == 2
        assert value in capsys.readouterr().err


class _BrokenProvider(LocalProvider):
    name = "broken"

    def run(self, request, work_dir, *, on_event=None, cancel=None):  # type: ignore[no-untyped-def, override]
        raise ProviderError("the engine answered 503 Service Unavailable; try again in a minute")


def test_provider_failure_exits_4(noisy_wav: Path, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(registry._FACTORIES, "broken", _BrokenProvider)
    code = main(
        [
            "separate",
            str(noisy_wav),
            "--exclude",
            "0-1",
            "--provider",
            "broken",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 4
    assert "503" in capsys.readouterr().err
    assert not list((tmp_path / "o").glob("*.wav"))


def _cli(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    return subprocess.Popen(
        [sys.executable, "-m", "isolde", *args],
        env=env or os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_ctrl_c_cancels_with_exit_5_and_writes_nothing(tmp_path: Path) -> None:
    long_wav = tmp_path / "long.wav"
    sf.write(long_wav, voice_over_noise(240.0, seed=3), RATE, subtype="PCM_16")
    out = tmp_path / "o"
    proc = _cli("separate", str(long_wav), "--exclude", "0-1.9", "--out", str(out))
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until the engine is working, then interrupt
        line = proc.stderr.readline()
        if "%" in line:
            break
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 5, err
    assert "cancelled" in err
    assert not list(out.glob("*.wav")) and not (out / "take.json").exists()


def _separating_long_file(tmp_path: Path, out: Path, **kw) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    """`isolde separate` on a 4-minute file, returned a second into its separating pass (where
    the network's worker process runs)."""
    long_wav = tmp_path / "long.wav"
    sf.write(long_wav, voice_over_noise(240.0, seed=3), RATE, subtype="PCM_16")
    proc = _cli("separate", str(long_wav), "--exclude", "0-1.9", "--out", str(out), **kw)
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if "separating" in proc.stderr.readline():
            break
    time.sleep(1.0)
    return proc


def test_ctrl_c_at_a_terminal_reaches_the_denoiser_worker_too_and_prints_no_traceback(
    tmp_path: Path,
) -> None:
    """A terminal's Ctrl-C goes to the whole process group, the network's worker process
    included: the worker leaves stopping to the command, which says one line."""
    out = tmp_path / "o"
    proc = _separating_long_file(tmp_path, out, start_new_session=True)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 5, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert not list(out.glob("*.wav")) and not (out / "take.json").exists()


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # the field after the state: the parent's pid
            kids.append(int(stat.parent.name))
    return kids


def test_a_killed_command_leaves_no_denoiser_worker_behind(tmp_path: Path) -> None:
    proc = _separating_long_file(tmp_path, tmp_path / "o")
    workers = [k for k in _children(proc.pid)
               if "spawn_main" in Path(f"/proc/{k}/cmdline").read_text()]  # fmt: skip
    assert workers
    proc.kill()  # SIGKILL to the command alone: nothing of its own runs to stop the worker
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.1)
    assert not any(Path(f"/proc/{w}").exists() for w in workers)


def test_editor_without_display_says_so_in_one_line(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    proc = _cli(env=env)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0]
    assert "info | separate | inpaint" in lines[0]


def test_version_via_python_m() -> None:
    proc = _cli("--version")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out.startswith("isolde ")
