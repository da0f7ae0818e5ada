"""Run the fake cloud by hand: `python -m tests.fakecloud` or `python tests/fakecloud/__main__.py`.

It prints the environment variables to export so that `isolde` (the CLI or the editor) talks to
it instead of the real services. Stop it with Ctrl-C.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the package importable by its name
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from fakecloud import FakeCloud, Faults
else:
    from . import FakeCloud, Faults


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--queue", type=int, default=3, help="queue positions before running")
    parser.add_argument("--step", type=float, default=0.5, help="seconds between status steps")
    args = parser.parse_args()
    faults = Faults(
        queue_positions=list(range(args.queue, 0, -1)),
        step_s=args.step,
        log_lines=["loading the model", "separating", "writing the result"],
    )
    cloud = FakeCloud(faults=faults).start(args.port)
    print(f"fake cloud listening on {cloud.url}; export these:\n")
    for name, value in cloud.env().items():
        print(f"export {name}={shlex.quote(value)}")
    print("\nCtrl-C stops it.", flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        cloud.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
