"""`isolde separate`/`isolde inpaint` on a cloud engine, SIGKILLed at chosen moments: the job is
in the store (`isolde jobs list`), and `isolde jobs resume` or the same command run again
finishes it — every take whole, exactly one submit per piece at the fake server, and a piece
cut off while being sent reported as unknown, never sent twice."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from cli_kill_kit import SCENARIOS, Trial, store_jobs

from fakecloud import FakeCloud, Faults
from isolde.cli.main import main


def _faults() -> Faults:
    return Faults(
        step_s=0.06,
        queue_positions=[2, 1],
        upload_delay_s=0.3,
        download_delay_s=0.25,
        segmind_delay_s=0.5,
    )


def _listed(trial: Trial, monkeypatch: pytest.MonkeyPatch, capsys) -> list[dict]:  # type: ignore[no-untyped-def]
    """`isolde jobs list --json` on the trial's store (in this process: it only reads)."""
    monkeypatch.setenv("ISOLDE_DATA_DIR", str(trial.data))
    capsys.readouterr()
    assert main(["jobs", "list", "--json"]) == 0
    return json.loads(capsys.readouterr().out)["jobs"]


@pytest.mark.parametrize(
    ("scenario", "point", "how"),
    [
        ("single", "preparing", "again"),  # uploading: nothing billed has left yet
        ("single", "queued", "resume"),
        ("single", "running", "again"),
        ("single", "downloading", "resume"),
        ("ranged", "queued", "again"),
        ("ranged", "downloading", "resume"),
        ("inpaint", "queued", "resume"),
        ("chunked", "piece2:submitted", "resume"),  # piece 1 kept, piece 2 at the provider
        ("chunked", "piece3:pending", "again"),  # pieces 1-2 kept, piece 3 not sent yet
        ("chunked", "downloading", "again"),  # piece 1's result coming in
    ],
)
def test_killed_then_finished_once(  # type: ignore[no-untyped-def]
    scenario: str, point: str, how: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    with FakeCloud(faults=_faults()) as cloud:
        trial = Trial(SCENARIOS[scenario], tmp_path, cloud)
        trial.kill_at(point)
        jobs = _listed(trial, monkeypatch, capsys)
        assert [(j["out_dir"], j["state"]) for j in jobs] == [(str(trial.out), jobs[0]["state"])]
        assert jobs[0]["state"] not in ("done", "failed", "unknown", "cancelled"), jobs
        assert trial.partial == 0
        sent_before = trial.submits()
        done = trial.finish(how)
        assert done.returncode == 0, done.stdout + done.stderr
        assert trial.take_intact()
        assert trial.state() == "done"
        assert trial.submits() == trial.scenario.pieces, f"{sent_before} before the kill"
        assert not trial.leftovers()
        if how == "again":  # and once more: the take is there, nothing is sent
            again = trial.run()
            assert again.returncode == 0 and trial.submits() == trial.scenario.pieces
            assert json.loads(again.stdout)["take"] == str(trial.out / "take.json")


@pytest.mark.parametrize("how", ["resume", "again"])
def test_a_piece_cut_off_while_sent_is_unknown_and_never_resent(  # type: ignore[no-untyped-def]
    how: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    with FakeCloud(faults=_faults()) as cloud:
        trial = Trial(SCENARIOS["segmind-chunked"], tmp_path, cloud)
        trial.kill_at("piece2:sending")  # Segmind's synchronous call is under way
        assert trial.doubt
        for _ in range(2):  # and once more: still reported, still not sent
            result = trial.finish(how)
            assert result.returncode == (0 if how == "resume" else 4), result.stderr
            assert trial.state() == "unknown"
            text = result.stdout + result.stderr
            assert "piece 1 kept" in text and "piece 2 unknown" in text, text
            assert "not sent again" in text
        assert trial.submits() == 2  # piece 1 and the cut-off piece 2, each once
        assert [j["state"] for j in _listed(trial, monkeypatch, capsys)] == ["unknown"]
        assert not (trial.out / "take.json").exists()
        [job] = store_jobs(trial.data)
        kept = trial.data / "jobs" / f"{job['id']}-pieces"
        assert [p.name for p in kept.iterdir()] == ["piece-1.wav"]  # what was paid for stays


def test_a_job_still_running_elsewhere_is_left_alone(tmp_path: Path) -> None:
    faults = Faults(step_s=0.05, queue_positions=list(range(60, 0, -1)))
    with FakeCloud(faults=faults) as cloud:
        trial = Trial(SCENARIOS["single"], tmp_path, cloud)
        first = trial.start()
        try:
            while not trial.reached("queued"):
                assert first.poll() is None, first.communicate()
                time.sleep(0.01)
            twice = trial.run()  # the same command while the first still runs
            assert twice.returncode == 3, twice.stderr
            assert "being run by another Isolde process" in twice.stderr
            resumed = trial.run(trial.isolde("jobs", "resume"))
            assert resumed.returncode == 0 and "another Isolde process" in resumed.stdout
            assert trial.submits() == 1
        finally:
            trial.kill(first)
        finished = trial.finish("again")
        assert finished.returncode == 0, finished.stderr
        assert trial.take_intact() and trial.submits() == 1
