"""Helpers for killing real `isolde separate`/`isolde inpaint` processes mid-job (no tests here).

Each scenario is one command against the fake cloud; `Trial` starts it in a child process with
its own job store (ISOLDE_DATA_DIR), watches the store and the fake server to reach a moment,
SIGKILLs it, finishes the job (`isolde jobs resume` or the same command again) and checks the
outcome: an intact take, or a job reported unknown — and how many submits the server saw.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from fakecloud import FakeCloud

RATE = 48_000
SECONDS = 12.0


@dataclass(frozen=True)
class Scenario:
    name: str
    provider: str
    argv: tuple[str, ...]  # after `isolde`, without PATH and --out
    submit_path: str  # a fragment of the submit URL, counted at the fake server
    pieces: int  # billed requests a complete run makes
    inpaint: bool = False
    selection: tuple[float, float] | None = None  # where the result may differ from the input


CHUNKS = ("--option", "max_chunk_duration=5", "--option", "chunk_overlap=1")
SCENARIOS = {
    s.name: s
    for s in (
        Scenario(
            "single",
            "fal",
            ("separate", "--provider", "fal", "--prompt", "the hiss"),
            "sam-audio/separate",
            1,
        ),
        Scenario(
            "ranged",
            "fal",
            ("separate", "--provider", "fal", "--prompt", "the hiss", "--range", "4-6"),
            "sam-audio/separate",
            1,
            selection=(4.0, 6.0),
        ),
        Scenario(
            "chunked",
            "audiolasso",
            ("separate", "--provider", "audiolasso", "--prompt", "the hiss", *CHUNKS),
            "v1/queue/audio/separate",
            3,
        ),
        Scenario(
            "segmind-chunked",
            "segmind",
            ("separate", "--provider", "segmind", "--prompt", "the hiss", *CHUNKS),
            "v1/sam-audio-large",
            3,
        ),
        Scenario(
            "inpaint",
            "fal",
            ("inpaint", "--provider", "fal", "--region", "5-5.5", "--prompt", "rain"),
            "audio-inpainting",
            1,
            inpaint=True,
            selection=(5.0, 5.5),
        ),
    )
}


def make_input(path: Path, seed: int = 3) -> Path:
    rng = np.random.default_rng(seed)
    data = (rng.standard_normal((int(SECONDS * RATE), 1)) * 0.1).astype(np.float32)
    sf.write(path, data, RATE, subtype="FLOAT")
    return path


def store_jobs(data_dir: Path) -> list[dict[str, Any]]:
    jobs = []
    for path in (data_dir / "jobs").glob("*.json"):
        with contextlib.suppress(OSError, ValueError):  # mid-rename: read again next time
            jobs.append(json.loads(path.read_text()))
    return jobs


def in_doubt(jobs: list[dict[str, Any]]) -> bool:
    """A billed request was on the wire: the job (or one of its pieces) is being sent."""
    for job in jobs:
        if job["state"] == "submitting" and not job.get("pieces"):
            return True
        if any(p.get("state") == "sending" for p in job.get("pieces") or ()):
            return True
    return False


def moment(jobs: list[dict[str, Any]]) -> str:
    """Where a killed job stood: its state, and its pieces' (pending, sending, submitted, done)."""
    if not jobs:
        return "not recorded"
    job = jobs[-1]
    pieces = "".join(str(p.get("state", "?"))[:2] for p in job.get("pieces") or ())
    return f"{job['state']}" + (f" [{pieces}]" if pieces else "")


@dataclass
class Trial:
    scenario: Scenario
    root: Path
    cloud: FakeCloud
    media: Path = field(init=False)
    out: Path = field(init=False)
    data: Path = field(init=False)
    kills: int = 0
    doubt: bool = False  # some kill left a billed request in doubt
    partial: int = 0  # kills after which the take folder held a part of a take
    moments: list[str] = field(default_factory=list)  # where each kill left the job

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.media = make_input(self.root / "in.wav")
        self.out = self.root / "out"
        self.data = self.root / "data"

    def env(self) -> dict[str, str]:
        return {**os.environ, **self.cloud.env(), "ISOLDE_DATA_DIR": str(self.data)}

    def command(self) -> list[str]:
        s = self.scenario
        return [
            sys.executable, "-m", "isolde", s.argv[0], str(self.media), *s.argv[1:],
            "--out", str(self.out), "--json", "--quiet",
        ]  # fmt: skip

    def isolde(self, *argv: str) -> list[str]:
        return [sys.executable, "-m", "isolde", *argv]

    def start(self, argv: list[str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            argv or self.command(),
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, argv: list[str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv or self.command(), env=self.env(), capture_output=True, text=True, timeout=120
        )

    def kill(self, child: subprocess.Popen[str]) -> bool:
        """SIGKILL it if it is still running (True), then look at what it left."""
        alive = child.poll() is None
        if alive:
            child.send_signal(signal.SIGKILL)
            self.kills += 1
        child.communicate(timeout=30)
        if alive:
            jobs = store_jobs(self.data)
            self.doubt = self.doubt or in_doubt(jobs)
            self.partial += int(self.partial_take())
            self.moments.append(moment(jobs))
        return alive

    def partial_take(self) -> bool:
        if not self.out.is_dir() or (self.out / "take.json").exists():
            return False
        return any(p.suffix in (".wav", ".flac", ".mp3") for p in self.out.iterdir())

    def submits(self) -> int:
        return len(self.cloud.hits_to(self.scenario.submit_path, "POST"))

    def reached(self, point: str) -> bool:
        jobs = store_jobs(self.data)
        job = jobs[0] if jobs else None
        if point == "downloading":  # a result download has started (it is slowed down)
            return bool(self.cloud.hits_to("/cdn/files/", "GET"))
        if job is None:
            return False
        pieces = job.get("pieces") or []
        if point.startswith("piece"):  # "piece2:submitted", "piece2:pending", "piece2:sending"
            index, state = point.removeprefix("piece").split(":")
            i = int(index) - 1
            ahead = all(p.get("state") == "done" for p in pieces[:i])
            if state == "sending" and self.submits() <= i:
                return False  # wait until the request has reached the engine
            return len(pieces) > i and ahead and pieces[i].get("state") == state
        if point == "running":
            return job["state"] == "running" and bool(job.get("submission"))
        return job["state"] == point

    def kill_at(self, point: str, timeout: float = 60.0) -> None:
        child = self.start()
        deadline = time.monotonic() + timeout
        while not self.reached(point):
            assert child.poll() is None, f"ended before {point}: {child.communicate()}"
            assert time.monotonic() < deadline, f"never reached {point}"
            time.sleep(0.003)
        assert self.kill(child), f"ended right at {point}"

    def finish_argv(self, how: str) -> list[str]:
        """How a user finishes the job: `isolde jobs resume`, or the same command again (also
        when the store is empty: the command was killed before it wrote anything)."""
        if how == "resume" and store_jobs(self.data):
            return self.isolde("jobs", "resume", "--json")
        return self.command()

    def finish(self, how: str) -> subprocess.CompletedProcess[str]:
        return self.run(self.finish_argv(how))

    def take_intact(self) -> bool:
        """A whole take whose files cover the input; separations add up to the input."""
        doc_path = self.out / "take.json"
        if not doc_path.exists():
            return False
        doc = json.loads(doc_path.read_text())
        x, _ = sf.read(self.media, dtype="float64", always_2d=True)
        files = {
            role: sf.read(self.out / name, dtype="float64", always_2d=True)[0]
            for role, name in doc["take"]["files"].items()
        }
        if any(len(f) != len(x) for f in files.values()):
            return False
        if self.scenario.inpaint:
            a, b = (round(t * RATE) for t in self.scenario.selection or (0, 0))
            outside = np.r_[0 : max(a - 5 * RATE, 0), min(b + 5 * RATE, len(x)) : len(x)]
            return bool(np.allclose(files["inpainted"][outside], x[outside], atol=1e-4))
        if self.scenario.name != "single":  # assembled here: target + residual = input
            return bool(np.allclose(files["target"] + files["residual"], x, atol=1e-5))
        return set(files) == {"target", "residual"}

    def leftovers(self) -> list[str]:
        """Work or staging folders, temp files, kept pieces left once the job is over."""
        out = [p.name for p in self.out.glob(".*")] if self.out.is_dir() else []
        out += [p.name for p in self.root.glob(".out.*")]
        jobs = self.data / "jobs"
        if jobs.is_dir():
            done = {j["id"] for j in store_jobs(self.data) if j["state"] == "done"}
            out += [p.name for p in jobs.glob("*-pieces") if p.name[: -len("-pieces")] in done]
        return out

    def state(self) -> str:
        jobs = store_jobs(self.data)
        return jobs[-1]["state"] if jobs else "none"
