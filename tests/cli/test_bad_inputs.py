"""Bad inputs across every command: no traceback, the documented exit code, a message naming the
problem, and every input file byte for byte as it was.

The table lives in bad_input_cases.py (also run whole, as real processes, by
tests/bench/bad_inputs_report.py). Here every case runs in-process through `main` (fast); a
representative ten also run as real `python -m isolde` processes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from bad_input_cases import (
    CASES,
    Case,
    Outcome,
    argv_for,
    build_fixtures,
    hash_tree,
    quiet_env,
    run_all,
)

from isolde.cli.main import main

SUBPROCESS_CASES = (
    "sep-provider",
    "sep-mp3-192k",
    "sep-out-holds-input",
    "sug-absurd-rate",
    "rmx-file-as-take",
    "rmx-gain-text",
    "rmx-out-is-source",
    "exp-rate-huge",
    "bat-out-is-file",
    "mux-out-is-video",
)


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    base = tmp_path_factory.mktemp("bad-inputs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISOLDE_CACHE_DIR", str(base / "cache"))
        mp.setenv("ISOLDE_DATA_DIR", str(base / "data"))
        yield build_fixtures(base / "inputs")


def test_the_table_covers_every_command() -> None:
    commands = {c.argv[0] for c in CASES}
    assert len(CASES) >= 60
    assert {
        "info",
        "separate",
        "inpaint",
        "suggest",
        "remix",
        "export",
        "batch",
        "jobs",
        "mask",
        "mux",
        "providers",
    } <= commands
    assert len({c.name for c in CASES}) == len(CASES)


def _run_in_process(case: Case, argv: list[str], capsys: pytest.CaptureFixture[str]) -> Outcome:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: usage errors
        code = exc.code if isinstance(exc.code, int) else 1
    return Outcome(case, code, capsys.readouterr().err)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_in_process(
    case: Case,
    fx: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [k for k in os.environ if k.endswith("_KEY")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.chdir(tmp_path)
    inputs = Path(fx["base"])
    before = hash_tree(inputs)
    out = tmp_path / "out"
    out.mkdir()
    outcome = _run_in_process(case, argv_for(case, fx, out), capsys)
    assert not outcome.traceback, outcome.err
    assert outcome.documented, (outcome.code, outcome.err)
    assert outcome.named, outcome.err
    assert hash_tree(inputs) == before
    assert not [p for p in out.rglob("*") if p.is_file()], "nothing is written"
    assert not [p for p in tmp_path.iterdir() if p.name != "out"], "nothing beside it either"


def test_representative_cases_as_real_processes(fx: dict[str, str], tmp_path: Path) -> None:
    cases = [c for c in CASES if c.name in SUBPROCESS_CASES]
    assert len(cases) == len(SUBPROCESS_CASES)
    inputs = Path(fx["base"])
    before = hash_tree(inputs)
    outcomes = run_all(cases, fx, tmp_path, quiet_env(), parallel=len(cases))
    for o in outcomes:
        assert not o.traceback, (o.case.name, o.err)
        assert o.documented, (o.case.name, o.code, o.err)
        assert o.named, (o.case.name, o.err)
        assert o.err.startswith("isolde") or o.err.startswith("usage:"), o.err
    assert hash_tree(inputs) == before


def test_nan_samples_are_read_as_silence_and_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signal = (np.random.default_rng(5).standard_normal((48_000 * 2, 2)) * 0.1).astype(np.float32)
    signal[1000:1010, 0] = np.nan
    signal[50_000, 1] = np.inf
    path = tmp_path / "damaged.wav"
    sf.write(path, signal, 48_000, subtype="FLOAT")
    out = tmp_path / "o"
    assert main(["separate", str(path), "--exclude", "0-0.5", "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "11 samples are not numbers" in err and "0:00:00.021" in err, err
    for name in ("target.wav", "residual.wav"):
        data, _ = sf.read(out / name)
        assert np.isfinite(data).all()
        assert np.abs(data).max() > 0.01  # a real result, not all silence
    assert main(["suggest", str(path), "--detector", "energy", "--quiet"]) == 0
    assert "not numbers" in capsys.readouterr().err


def test_mp3_of_a_192k_input_is_refused_before_any_upload(
    cloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "hi.wav"
    sf.write(path, np.zeros((192_000, 2), np.float32), 192_000)
    argv = [
        "separate",
        str(path),
        "--provider",
        "fal",
        "--prompt",
        "x",
        "--format",
        "mp3",
        "--out",
        str(tmp_path / "o"),
    ]
    assert main(argv) == 3
    assert "MP3 cannot store 192000 Hz" in capsys.readouterr().err
    assert cloud.hits == []
    assert not (tmp_path / "o").exists()
