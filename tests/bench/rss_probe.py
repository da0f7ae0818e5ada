"""Peak memory of the offline engine on a long file: a WAV written in chunks, processed in a
fresh process, with every process of the job (the engine and its RNNoise worker) watched.

VmHWM (peak resident set) is read from /proc for the job's process and each of its children,
every POLL_S; a child's own VmHWM is its peak, so the last reading before it exits is it.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

POLL_S = 0.2
JOB = """
import sys
from isolde.core.spans import Span
from isolde.providers.base import Request, RequestKind
from isolde.providers.local import LocalProvider

if __name__ == "__main__":
    path, work, a, b = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    request = Request(RequestKind.SPANS, path, spans=(Span(a, b, include=False),))
    result = LocalProvider().run(request, work)
    print(result.details["method"], result.details["realtime_factor"])
"""


def write_long_wav(path: Path, loop: np.ndarray, rate: int, hours: float) -> int:
    """16-bit WAV of `loop` (n, ch) repeated for `hours`, written 1 M frames at a time."""
    channels = loop.shape[1]
    frames = int(hours * 3600 * rate)
    data_bytes = frames * channels * 2
    if data_bytes >= 2**32 - 64:
        raise SystemExit(f"{hours} hours does not fit in a plain WAV")
    pcm = (np.clip(loop, -1, 1) * 32767).astype("<i2")
    chunk = 1 << 20
    with open(path, "wb") as out:
        out.write(b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE")
        block_align = channels * 2
        out.write(
            b"fmt "
            + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block_align, block_align, 16)
        )
        out.write(b"data" + struct.pack("<I", data_bytes))
        for first in range(0, frames, chunk):
            n = min(chunk, frames - first)
            idx = (first + np.arange(n)) % len(pcm)
            out.write(pcm[idx].tobytes())
    return frames


def _hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def peak_rss(path: Path, work: Path, exclude: tuple[float, float]) -> dict[str, float]:
    """Run the engine on `path` in a new process; peak MB of it, of its busiest child, and of
    the two together (an upper bound on what the job held at once), plus wall seconds."""
    env = dict(os.environ)
    proc = subprocess.Popen(
        [sys.executable, "-c", JOB, str(path), str(work), str(exclude[0]), str(exclude[1])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    peaks: dict[int, int] = {}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            for pid in [proc.pid, *_children(proc.pid)]:
                kb = _hwm_kb(pid)
                if kb is not None:
                    peaks[pid] = max(peaks.get(pid, 0), kb)
            time.sleep(POLL_S)

    watcher = threading.Thread(target=watch, daemon=True)
    started = time.perf_counter()
    watcher.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    watcher.join()
    if proc.returncode:
        raise SystemExit(f"the engine failed on the long file:\n{err}")
    main_mb = peaks.get(proc.pid, 0) / 1024
    child_mb = max((kb for pid, kb in peaks.items() if pid != proc.pid), default=0) / 1024
    return {
        "main_mb": main_mb,
        "worker_mb": child_mb,
        "total_mb": main_mb + child_mb,
        "seconds": seconds,
        "engine_says": out.strip(),
    }
