"""Applied edits on a long file (run on purpose, never by pytest):

    .venv/bin/python tests/bench/bench_edited_view.py [--hours 3] [--dir DIR] [--keep]

Writes a source, a target and a residual (48 kHz stereo 16-bit WAVs, `--hours` long each),
then times what the editor does after Apply, without Qt: opening the edited program and its
peaks for a 10-second edit and for a whole-file edit (the whole-file one reduces on a worker),
drawing while that worker runs and after, and reading 1024-frame playback chunks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_timeline import make_wav

from isolde.audio import open_audio
from isolde.audio.edited_peaks import EditedPeaksCache
from isolde.audio.edited_source import EditedSource
from isolde.audio.pyramid import PeakPyramid
from isolde.audio.render import Splice

RATE, COLUMNS = 48_000, 1600


def _ms(fn, repeat: int = 20) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def _repaint_ms(peaks, frames: int) -> float:  # type: ignore[no-untyped-def]
    views = [(0, frames), (frames // 3, frames // 3 + 60 * RATE), (frames // 2, frames // 2 + RATE)]
    return max(_ms(lambda v=v: peaks.envelope(v[0], v[1], COLUMNS), 10) for v in views)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "isolde-bench")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    paths = {name: args.dir / f"edited-{name}-{args.hours}h.wav" for name in ("s", "t", "r")}
    for path in paths.values():
        if not path.exists():
            make_wav(path, args.hours)
    source, target, residual = (open_audio(p) for p in paths.values())
    base = PeakPyramid.open(source)
    base.start_background()
    base.wait()
    frames = source.frames
    rows: list[tuple[str, str]] = [("file", f"{args.hours:g} h, {frames} frames, stereo")]

    mid = frames // 2
    short = [Splice(mid, mid + 10 * RATE, 960, ((target, 1.0), (residual, 0.1)))]
    t = time.perf_counter()
    peaks = EditedPeaksCache().peaks(base, EditedSource(source, short))
    rows.append(("10 s edit: program + peaks (ms)", f"{(time.perf_counter() - t) * 1000:.1f}"))
    rows.append(("10 s edit: slowest view, median (ms)", f"{_repaint_ms(peaks, frames):.2f}"))

    whole = [Splice(0, frames, 0, ((target, 0.8), (residual, 0.2)))]
    t = time.perf_counter()
    edited = EditedSource(source, whole)
    peaks = EditedPeaksCache().peaks(base, edited)
    rows.append(
        ("whole-file edit: program + peaks (ms)", f"{(time.perf_counter() - t) * 1000:.1f}")
    )
    during = _repaint_ms(peaks, frames)
    rows.append(("whole-file edit: slowest view while reducing (ms)", f"{during:.2f}"))
    for region in peaks.regions:
        region.wait()
    rows.append(
        ("whole-file edit: reduced on the worker after (s)", f"{time.perf_counter() - t:.1f}")
    )
    rows.append(
        ("whole-file edit: slowest view after, median (ms)", f"{_repaint_ms(peaks, frames):.2f}")
    )
    start = frames // 4
    chunk_ms = _ms(lambda: edited.read(start, start + 1024), 200)
    rows.append(("playback chunk of 1024 frames (ms; 21.3 ms of audio)", f"{chunk_ms:.3f}"))
    rows.append(("region peaks memory (MB)", f"{_region_mb(peaks):.0f}"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    if not args.keep:
        for path in paths.values():
            path.unlink()


def _region_mb(peaks) -> float:  # type: ignore[no-untyped-def]
    return sum(lv.lo.nbytes + lv.hi.nbytes for r in peaks.regions for lv in r.levels) / 2**20


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
