"""Run inside a private mount namespace on a small tmpfs (see test_atomic_takes.py):

    unshare -m sh -c 'mount -t tmpfs -o size=128m tmpfs DIR &&
                      python disk_full_driver.py DIR SMALL LONG'

1. `isolde separate SMALL --out DIR/take` makes the take to protect.
2. With the disk nearly full, `isolde separate LONG --out DIR/take` must be refused up front,
   with the figures.
3. With room enough at the start, the disk is filled while the engine runs: the command fails
   (exit 3) on a real ENOSPC.
After 2 and 3 the old take must be as it was, with nothing else beside it. Prints one JSON
object: exit codes, stderr tails, the take's hashes before and after, what DIR holds.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _separate(source: str, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "isolde",
            "separate",
            source,
            "--exclude",
            "0-0.5",
            "--out",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _fill(path: Path, leave: int = 0) -> None:
    """Write zeros into `path` until the disk has only `leave` bytes free (or is full)."""
    block = b"\0" * (1 << 20)
    with open(path, "wb") as f:
        while True:
            free = os.statvfs(path.parent).f_bavail * os.statvfs(path.parent).f_frsize
            if free <= leave:
                break
            try:
                f.write(block[: max(min(len(block), free - leave), 1)])
                f.flush()
            except OSError:
                break


def main() -> int:
    root, small, long = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    take = root / "take"
    report: dict = {}
    first = _separate(small, take)
    report["first"] = [first.wait(120), first.stderr.read()[-300:]]
    before = _hashes(take)
    filler = root / "filler.bin"
    _fill(filler, leave=40 * 1000 * 1000)
    refused = _separate(long, take)
    report["refused"] = [refused.wait(120), refused.stderr.read()[-400:]]
    report["after_refused"] = _hashes(take)
    filler.unlink()
    running = _separate(long, take)
    for line in running.stderr:  # the engine is at work: fill the disk under it
        if "%" in line:
            break
    _fill(filler)
    report["full"] = [running.wait(120), running.stderr.read()[-400:]]
    report["after_full"] = _hashes(take)
    with contextlib.suppress(OSError):
        filler.unlink()
    report["before"] = before
    report["root"] = sorted(p.name for p in root.iterdir())
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
