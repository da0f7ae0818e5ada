"""Start-up benchmark (run on purpose; see tests/bench/README.md):

    .venv/bin/python tests/bench/bench_startup.py [--json] [--runs 10]

Wall time of whole processes, each command once untimed (warm caches) and then `--runs` times:
`python -c pass` as the floor, `isolde --help` and `isolde info src/isolde/data/sample.flac`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "src" / "isolde" / "data" / "sample.flac"
TARGET_S = 0.5  # isolde --help and isolde info, median on a warm machine
COMMANDS = {  # key: (argv after the interpreter, has a target)
    "python_pass": (["-c", "pass"], False),
    "isolde_help": (["-m", "isolde", "--help"], True),
    "isolde_info": (["-m", "isolde", "info", str(SAMPLE)], True),
}


def time_once(argv: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, *argv],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed


def measure(runs: int) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    for key, (argv, _) in COMMANDS.items():
        time_once(argv)  # warm: imports compiled, files in the page cache
        times = [time_once(argv) for _ in range(runs)]
        figures[key] = {
            "median_s": statistics.median(times),
            "min_s": min(times),
            "max_s": max(times),
        }
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per command (10)")
    args = parser.parse_args()
    figures = measure(args.runs)
    passed = all(figures[k]["median_s"] <= TARGET_S for k, (_, t) in COMMANDS.items() if t)
    if args.json:
        out: dict[str, object] = {
            f"{k}_median_s": round(v["median_s"], 4) for k, v in figures.items()
        }
        out.update(runs=args.runs, target_s=TARGET_S, python=sys.executable, passed=passed)
        print(json.dumps(out))
        return 0
    print(f"{args.runs} runs each, after one untimed run; {sys.executable}")
    print(f"{'command':<44} {'median':>8} {'min':>8} {'max':>8}  target")
    for key, (argv, has_target) in COMMANDS.items():
        v = figures[key]
        shown = "python " + " ".join(
            a if a != str(SAMPLE) else "src/isolde/data/sample.flac" for a in argv
        )
        mark = ""
        if has_target:
            mark = f"≤ {TARGET_S:g} s " + ("ok" if v["median_s"] <= TARGET_S else "MISSED")
        print(f"{shown:<44} {v['median_s']:>7.3f}s {v['min_s']:>7.3f}s {v['max_s']:>7.3f}s  {mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
