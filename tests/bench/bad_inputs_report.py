"""Run the whole bad-input table (tests/cli/bad_input_cases.py) as real `python -m isolde`
processes and print the figures issue 11 asks for: cases, tracebacks, undocumented exit codes,
inputs changed (and messages that do not name the problem).

    .venv/bin/python tests/bench/bad_inputs_report.py [--json] [--parallel N] [--verbose]

Everything happens in a fresh temporary folder (caches and app data too); cloud keys are
removed from the environment, so no case can reach a real service.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "cli")]

from bad_input_cases import CASES, build_fixtures, hash_tree, quiet_env, run_all, summary  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--parallel", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--verbose", action="store_true", help="every case's exit code")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="isolde-bad-inputs-") as tmp:
        root = Path(tmp)
        env = quiet_env(
            {
                "ISOLDE_CACHE_DIR": str(root / "cache"),
                "ISOLDE_DATA_DIR": str(root / "data"),
                "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")]),
            }
        )
        os.environ.update({k: env[k] for k in ("ISOLDE_CACHE_DIR", "ISOLDE_DATA_DIR")})
        fx = build_fixtures(root / "inputs")
        before = hash_tree(root / "inputs")
        started = time.perf_counter()
        outcomes = run_all(CASES, fx, root / "outputs", env, parallel=args.parallel)
        after = hash_tree(root / "inputs")
        changed = sum(before.get(p) != h for p, h in after.items()) + len(set(before) - set(after))
        figures = summary(outcomes, changed) | {"seconds": round(time.perf_counter() - started, 1)}
    bad = [o for o in outcomes if o.traceback or not o.documented or not o.named]
    if args.json:
        figures["problems"] = [
            {"case": o.case.name, "code": o.code, "stderr": o.err[-400:]} for o in bad
        ]
        print(json.dumps(figures, indent=2))
    else:
        for o in outcomes if args.verbose else bad:
            flag = "ok " if o not in bad else "BAD"
            print(f"{flag} {o.case.name:<28} exit {o.code}  {o.err.strip().splitlines()[-1:]}")
        print(", ".join(f"{k} {v}" for k, v in figures.items()))
    return 0 if not bad and not changed else 1


if __name__ == "__main__":
    sys.exit(main())
