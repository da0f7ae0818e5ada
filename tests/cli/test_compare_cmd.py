"""`isolde compare`: one request to several engines (the local one and the fake cloud over real
HTTP), one submit per try, the estimate is the sum of the tries', and the takes line up."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from fakecloud.testing import noise, write_wav
from isolde.cli.main import main
from isolde.core.spans import Span
from isolde.jobs.compare import Try, parse_try, plan_tries
from isolde.providers.base import Request, RequestKind
from isolde.providers.registry import get_provider

RATE = 44_100
MARKS = ["--prompt", "the dog", "--include", "0.5-1.5", "--exclude", "2-3"]
TRIES = ["local", "fal", "fal:reranking_candidates=4", "audiolasso", "segmind"]


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "clip.wav", noise(4.0, RATE, channels=2), RATE, "PCM_16")


def _lag(a: np.ndarray, b: np.ndarray, span: int = 200) -> int:
    """The shift of `a` against `b` (in samples) at which they correlate best."""
    n = len(a) + len(b)
    xc = np.fft.irfft(np.fft.rfft(a, n) * np.conj(np.fft.rfft(b, n)), n)
    lags = np.r_[np.arange(0, span), np.arange(-span, 0)]
    return int(lags[np.argmax(xc[lags])])


def test_compare_local_and_cloud(cloud, wav, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "cmp"
    argv = ["compare", str(wav), *MARKS, "--out", str(out), "--json", "--quiet"]
    for t in TRIES:
        argv += ["--try", t]
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)

    # one submit per try, never more
    assert len(cloud.hits_to("sam-audio/span-separate", "POST")) == 2
    assert len(cloud.hits_to("/audiolasso/v1/queue/audio/separate", "POST")) == 1
    assert len([h for h in cloud.hits if "segmind" in h.path and h.method == "POST"]) == 1

    # the estimate shown before sending is the sum of each try's own estimate
    x, _ = sf.read(wav, dtype="float64", always_2d=True)
    duration = len(x) / RATE
    base = Request(
        RequestKind.SPANS,
        str(wav),
        prompt="the dog",
        spans=(Span(0.5, 1.5, True), Span(2, 3, False)),
    )
    expected = []
    for t in TRIES:
        attempt = parse_try(t)
        provider = get_provider(attempt.provider)
        planned = plan_tries([attempt, Try("local")], base, duration)[0]
        expected.append(provider.estimate_cost(planned.request, duration))
    priced = [c for c in expected if c is not None]
    assert len(priced) == 3  # fal twice (4 candidates cost more), segmind
    assert expected[2] > expected[1]
    assert data["cost_estimate_usd"] == pytest.approx(sum(priced))
    assert [r["cost_estimate_usd"] for r in data["tries"]] == pytest.approx(expected)

    summary = json.loads((out / "summary.json").read_text())
    assert summary["tries"] == data["tries"]
    rows = data["tries"]
    assert [r["name"] for r in rows] == TRIES and all(r["state"] == "done" for r in rows)
    assert rows[4]["kind"] == "text" and "prompt" in rows[4]["note"]  # segmind: no spans
    assert rows[2]["options"] == {"reranking_candidates": "4"}

    # every take lines up with the source sample for sample: same length, rate, channels,
    # target + residual = source, and the cloud's low band sits at lag 0
    folders = sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert len(folders) == len(TRIES)
    for row in rows:
        take_dir = Path(row["take"]).parent
        t, rate_t = sf.read(take_dir / "target.wav", dtype="float64", always_2d=True)
        r, _ = sf.read(take_dir / "residual.wav", dtype="float64", always_2d=True)
        assert rate_t == RATE and t.shape == x.shape == r.shape
        assert row["frames"] == len(x)
        np.testing.assert_allclose(t + r, x, atol=1e-6)
        if row["provider"] != "local":
            assert _lag(t.mean(axis=1), x.mean(axis=1)) == 0


def test_compare_checks_every_try_before_sending(cloud, wav, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "cmp"
    code = main(
        [
            *("compare", str(wav), *MARKS, "--out", str(out)),
            *("--try", "fal", "--try", "fal:reranking_candidates=99"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 3
    assert "try 2 (fal:reranking_candidates=99)" in err
    assert cloud.hits_to("sam-audio", "POST") == []
    assert not (out / "summary.json").exists()


@pytest.mark.parametrize(
    ("tries", "words"),
    [
        (["local"], "at least two tries"),
        (["local", "nosuch"], "unknown engine"),
        (["local", "fal:fast"], "KEY=VALUE"),
    ],
)
def test_compare_bad_tries(wav, tmp_path, capsys, tries, words) -> None:  # type: ignore[no-untyped-def]
    argv = ["compare", str(wav), "--prompt", "speech", "--out", str(tmp_path / "o")]
    for t in tries:
        argv += ["--try", t]
    assert main(argv) == 3
    assert words in capsys.readouterr().err


def test_compare_table_on_stdout(wav, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "cmp"
    code = main(
        [
            *("compare", str(wav), "--prompt", "speech", "--exclude", "2-3", "--quiet"),
            *("--try", "local", "--try", "local:reduction_db=6", "--out", str(out)),
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["#", "try", "state"]
    assert "local:reduction_db=6" in lines[2] and "done" in lines[2]
    rows = json.loads((out / "summary.json").read_text())["tries"]
    # less reduction leaves more in the target: the table lets the user see that at a glance
    assert rows[1]["target_dbfs"] > rows[0]["target_dbfs"]


def test_ctrl_c_keeps_the_summary_says_so_and_leaves_no_empty_try_folders(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    long_wav = write_wav(tmp_path / "long.wav", noise(240.0, 48_000, channels=2), 48_000, "PCM_16")
    out = tmp_path / "cmp"
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "isolde", "compare", str(long_wav), "--exclude", "0-2"),
            *("--try", "local", "--try", "local:method=speech", "--out", str(out)),
        ],
        env=os.environ.copy(),
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # both tries are on their way: interrupt
        if proc.stderr.readline().startswith("sending"):
            break
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 5, err
    assert "the finished tries are kept" in err and "nothing was written" not in err
    assert (out / "summary.json").is_file()
    rows = json.loads((out / "summary.json").read_text())["tries"]
    stopped = [row for row in rows if row["state"] != "done"]
    assert stopped, "the tries finished before the interrupt: nothing was tested"
    for row in stopped:
        folder = out / f"{row['try']:02d}-{'local' if row['try'] == 1 else 'local-method-speech'}"
        assert not folder.exists() or any(folder.iterdir()), f"{folder.name} left empty"
