"""Smoke test of the built app (run on purpose after packaging/build.sh, not by pytest).

    python packaging/smoke_test.py [DIST]      (DIST: the one-folder app, default dist/isolde)

Runs the bundle's own `isolde` executable, never the checkout: the editor offscreen on the
bundled sample (it quits once the document is shown: ISOLDE_SMOKE_QUIT_AFTER_LOAD, see
isolde/ui/shell/smoke_exit.py); one offline separation through the CLI entry, whose target and
residual must add up to the input; the speech detectors, and RNNoise and DeepFilterNet3 each in a
worker process, so the bundled models and native libraries are known to load. Settings, logs and
caches go to a temporary folder. Needs numpy and soundfile (the build venv and .venv both have them).
Prints each step with its time; exits 0 when all passed, 1 at the first failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 300


class SmokeFailure(Exception):
    pass


def run(exe: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`exe args`; fails on a non-zero exit or any Python traceback or usage error on stderr
    (a spawned worker that re-ran the CLI would print one)."""
    result = subprocess.run(
        [str(exe), *args], env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )
    shown = f"isolde {' '.join(args)}"
    if result.returncode != 0:
        raise SmokeFailure(f"{shown}: exit code {result.returncode}\n{result.stderr[-3000:]}")
    for marker in ("Traceback (most recent call last)", "usage: isolde"):
        if marker in result.stderr:
            raise SmokeFailure(f"{shown}: {marker!r} on stderr\n{result.stderr[-3000:]}")
    return result


def check_editor(exe: Path, sample: Path, env: dict[str, str]) -> str:
    out = run(exe, [], {**env, "ISOLDE_SMOKE_QUIT_AFTER_LOAD": "1"}).stdout
    if f"isolde: loaded {sample}" not in out.splitlines():
        raise SmokeFailure(f"the editor did not report loading the bundled sample: {out!r}")
    # The editor's exception hook writes traces to its log, not to stderr.
    for log in Path(env["ISOLDE_LOG_DIR"]).glob("*.log*"):
        if "Traceback" in log.read_text(errors="replace"):
            raise SmokeFailure(f"the editor logged an error: {log}")
    return "opened the bundled sample offscreen and quit cleanly"


def check_separation(exe: Path, sample: Path, env: dict[str, str], out: Path) -> str:
    args = ["separate", str(sample), "--exclude", "0-2", "--out", str(out), "--json", "--quiet"]
    report = json.loads(run(exe, args, env).stdout)
    target, residual = (Path(report["outputs"][k]) for k in ("target", "residual"))
    source, rate = sf.read(sample, dtype="float64", always_2d=True)
    parts = [sf.read(p, dtype="float64", always_2d=True) for p in (target, residual)]
    if any(r != rate or x.shape != source.shape for x, r in parts):
        raise SmokeFailure(f"target/residual do not match the input's shape and rate: {out}")
    error = float(np.max(np.abs(parts[0][0] + parts[1][0] - source)))
    if error > 1e-4:  # 32-bit float WAVs of a 16-bit source: rounding only
        raise SmokeFailure(f"target + residual differ from the input by up to {error:.2e}")
    details = json.loads((out / "take.json").read_text()).get("engine_details", {})
    chosen = details.get("method_chosen", "?")
    return f"target + residual = input (max error {error:.1e}); method {chosen}"


def check_detectors(exe: Path, sample: Path, env: dict[str, str]) -> str:
    found = []
    for detector in ("silero", "rnnoise"):
        args = ["suggest", str(sample), "--detector", detector, "--json", "--quiet"]
        report = json.loads(run(exe, args, env).stdout)
        if report.get("detector") != detector or not report.get("spans"):
            raise SmokeFailure(f"the {detector} detector found nothing in the sample: {report}")
        found.append(f"{detector} {report['speech_s']} s of speech")
    return ", ".join(found)


def check_worker_process(exe: Path, sample: Path, env: dict[str, str], tmp: Path) -> str:
    # Files over a minute are denoised in a spawned process: the frozen executable runs again
    # as the worker (packaging/isolde_entry.py's freeze_support).
    audio, rate = sf.read(sample, dtype="float32", always_2d=True)
    long_file = tmp / "long.flac"
    sf.write(long_file, np.concatenate([audio] * 3), rate, subtype="PCM_16")
    for method, estimator in (("speech", "RNNoise"), ("neural", "DeepFilterNet3")):
        out = tmp / f"long-{method}"
        args = ["separate", str(long_file), "--exclude", "0-2", "--option", f"method={method}"]
        run(exe, [*args, "--out", str(out), "--quiet"], env)
        if not (out / "target.wav").is_file():
            raise SmokeFailure(f"the {estimator} separation of a long file wrote no target")
        details = json.loads((out / "take.json").read_text()).get("engine_details", {})
        if not str(details.get("speech_estimator", "")).startswith(estimator):
            raise SmokeFailure(f"method={method} did not run {estimator}: {details}")
    return f"RNNoise and DeepFilterNet3 on {len(audio) * 3 / rate:.0f} s in a worker process"


def main(argv: list[str]) -> int:
    dist = Path(argv[0] if argv else ROOT / "dist" / "isolde").resolve()
    exe = dist / "isolde"
    if not os.access(exe, os.X_OK):
        print(f"smoke: no executable {exe}: run packaging/build.sh first", file=sys.stderr)
        return 1
    samples = sorted(dist.rglob("isolde/data/sample.flac"))
    if len(samples) != 1:
        print(f"smoke: the bundled sample is missing from {dist}", file=sys.stderr)
        return 1
    sample = samples[0]
    with tempfile.TemporaryDirectory(prefix="isolde-smoke-") as folder:
        tmp = Path(folder)
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp / "xdg")}
        for name in ("DATA", "CONFIG", "LOG", "CACHE"):
            env[f"ISOLDE_{name}_DIR"] = str(tmp / name.lower())
        steps = [
            ("version", lambda: run(exe, ["--version"], env).stdout.strip()),
            ("editor", lambda: check_editor(exe, sample, env)),
            ("separate", lambda: check_separation(exe, sample, env, tmp / "separated")),
            ("detectors", lambda: check_detectors(exe, sample, env)),
            ("worker", lambda: check_worker_process(exe, sample, env, tmp)),
        ]
        for name, step in steps:
            start = time.monotonic()
            try:
                said = step()
            except (SmokeFailure, subprocess.TimeoutExpired) as exc:
                print(f"smoke: {name}: FAILED: {exc}", file=sys.stderr)
                return 1
            print(f"smoke: {name}: ok in {time.monotonic() - start:.1f} s: {said}")
    print(f"smoke: all passed ({dist})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
