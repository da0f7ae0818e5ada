"""Long-file helpers for the engine benchmark: a long WAV written in chunks, and the /proc
readings `long_runs.py` watches a job's processes (the engine and its denoiser worker) with.

VmHWM (peak resident set) is read from /proc for the job's process and each of its children,
every POLL_S; a child's own VmHWM is its peak, so the last reading before it exits is it.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np

POLL_S = 0.2


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
