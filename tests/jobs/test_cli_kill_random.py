"""SIGKILLs at random moments (seeded) across single, chunked and ranged `isolde separate` and a
cloud `isolde inpaint`, sometimes killing the resume too; then `isolde jobs resume` or the same
command finishes each job. Figures: 0 results lost, 0 duplicate submits, 0 partial takes (a job
may end "unknown" only where a kill caught a billed request on the wire)."""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cli_kill_kit import SCENARIOS, Trial, store_jobs

from fakecloud import FakeCloud, Faults

SEED = 20261206
KILLS = 20
WORKERS = 3  # trials in parallel, each with its own fake cloud and job store
ORDER = ("single", "chunked", "ranged", "inpaint", "segmind-chunked")
# about how long each job runs once written down (seconds, with these faults): kills land in it
LIFETIME = {"single": 2.0, "ranged": 2.2, "inpaint": 2.0, "chunked": 4.5, "segmind-chunked": 3.5}


def _trial(index: int, root: Path) -> dict:
    rng = random.Random(SEED * 1000 + index)
    scenario = SCENARIOS[ORDER[index % len(ORDER)]]
    faults = Faults(
        step_s=0.05,
        queue_positions=[2, 1],
        upload_delay_s=0.2,
        download_delay_s=0.2,
        segmind_delay_s=0.3,
    )
    with FakeCloud(faults=faults) as cloud:
        trial = Trial(scenario, root / f"trial{index}", cloud)
        argv, killed = trial.command(), True
        for _ in range(1 + (rng.random() < 0.35)):  # sometimes the resume is killed too
            child = trial.start(argv)
            if rng.random() < 0.1:  # early: Python starting, the job not written down yet
                time.sleep(rng.uniform(0.2, 1.0))
            else:  # anywhere in the job's life, from the moment it is written down
                deadline = time.monotonic() + 15
                while not store_jobs(trial.data) and time.monotonic() < deadline:
                    time.sleep(0.005)
                time.sleep(rng.uniform(0.0, LIFETIME[scenario.name]))
            killed = trial.kill(child)
            if not killed:
                break  # it ran to its end
            argv = trial.finish_argv(rng.choice(("resume", "again")))
        finished = trial.finish(rng.choice(("resume", "again"))) if killed else None
        submits, state = trial.submits(), trial.state()
        intact = state == "done" and trial.take_intact()
        return {
            "scenario": scenario.name,
            "kills": trial.kills,
            "moments": trial.moments,
            "state": state,
            "intact": intact,
            "lost": not intact and not (state == "unknown" and trial.doubt),
            "duplicates": max(0, submits - scenario.pieces),
            "partial": trial.partial,
            "leftovers": trial.leftovers() if intact else [],
            "output": (finished.stdout + finished.stderr)[-400:] if finished else "",
        }


def test_random_kills_lose_nothing_and_pay_once(tmp_path: Path) -> None:
    results: list[dict] = []
    started = time.monotonic()
    with ThreadPoolExecutor(WORKERS) as pool:
        while sum(r["kills"] for r in results) < KILLS and len(results) < 60:
            batch = range(len(results), len(results) + WORKERS)
            results += pool.map(lambda i: _trial(i, tmp_path), batch)
    kills = sum(r["kills"] for r in results)
    figures = {
        "trials": len(results),
        "kills": kills,
        "done": sum(r["intact"] for r in results),
        "unknown (cut off while sending, reported)": sum(r["state"] == "unknown" for r in results),
        "lost": sum(r["lost"] for r in results),
        "duplicate submits": sum(r["duplicates"] for r in results),
        "partial takes": sum(r["partial"] for r in results),
        "seconds": round(time.monotonic() - started, 1),
    }
    print("\nrandom kills:", figures)
    for r in results:
        print(f"  {r['scenario']:<16} {r['state']:<8} killed at {r['moments']}")
    assert kills >= KILLS
    bad = [r for r in results if r["lost"] or r["duplicates"] or r["partial"] or r["leftovers"]]
    assert not bad, bad
    assert figures["done"] >= len(results) // 2  # most jobs finish; the rest were in doubt
