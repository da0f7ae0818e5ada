"""Speed and memory of the offline engine on one long 48 kHz stereo file, once per method.

The file (16-bit WAV, a speech-over-music loop repeated for `hours`) is written once in chunks;
each method then runs in a fresh process, as a job would, with the loop's speech-free lead as the
exclude span. Per method: wall seconds of that process (start-up and file writing included)
over the audio's length — the RTF a user sees — and the peak resident memory (VmHWM) of the
engine process plus those of all its children (the denoiser worker and multiprocessing's helper),
an upper bound on what the job held at once. Peaks are read from /proc every POLL_S, as in
rss_probe.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
from rss_probe import POLL_S, _children, _hwm_kb, write_long_wav

JOB = """
import sys
from isolde.core.spans import Span
from isolde.providers.base import Request, RequestKind
from isolde.providers.local import LocalProvider

if __name__ == "__main__":
    path, work, a, b, method = sys.argv[1:6]
    options = {} if method == "auto" else {"method": method}
    request = Request(RequestKind.SPANS, path, spans=(Span(float(a), float(b), include=False),),
                      options=options)
    result = LocalProvider().run(request, work)
    print(result.endpoint, result.details.get("realtime_factor"))
"""


def _probe(
    path: Path, work: Path, lead: tuple[float, float], method: str
) -> dict[str, float | str]:
    args = [sys.executable, "-c", JOB, str(path), str(work), str(lead[0]), str(lead[1]), method]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
        return {"error": err.strip().splitlines()[-1] if err.strip() else f"exit {proc.returncode}"}
    main_mb = peaks.get(proc.pid, 0) / 1024
    child_mb = sum(kb for pid, kb in peaks.items() if pid != proc.pid) / 1024
    return {
        "seconds": seconds,
        "engine_mb": main_mb,
        "worker_mb": child_mb,
        "peak_mb": main_mb + child_mb,
        "engine_says": out.strip(),
    }


def long_file_runs(
    loop: np.ndarray, lead: tuple[float, float], hours: float, methods: list[str], folder: Path
) -> dict[str, dict[str, float | str]]:
    """{method: {rtf, seconds, peak_mb, engine_mb, worker_mb, engine_says} or {error}}."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"long-{os.getpid()}.wav"  # two runs at once must not share the file
    out: dict[str, dict[str, float | str]] = {}
    try:
        frames = write_long_wav(path, loop, 48_000, hours)
        for method in methods:
            work = folder / f"job-{os.getpid()}-{method}"
            try:
                row = _probe(path, work, lead, method)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            if "seconds" in row:
                row["rtf"] = float(row["seconds"]) / (frames / 48_000)
            out[method] = row
            print(f"  long file, {method}: {row}", file=sys.stderr)
    finally:
        path.unlink(missing_ok=True)
    return out
