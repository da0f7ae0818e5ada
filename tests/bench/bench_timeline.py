"""Timeline benchmark (run on purpose; see tests/bench/README.md for what it measures and how):

    .venv/bin/python tests/bench/bench_timeline.py [--json] [--hours 3] [--keep] [--warm]

It measures the editor's real timeline widget (`isolde.ui.timeline.TimelineWidget`), offscreen,
including a span drag driven through the widget's own drag path.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import statistics
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

RATE, CHANNELS, COLUMNS, HEIGHT = 48_000, 2, 1600, 400
TARGETS = {  # metric: (limit, unit)
    "first_paint_s": (1.0, "s"),
    "pyramid_s": (4.0, "s"),
    "repaint_median_ms": (8.0, "ms"),
    "repaint_p95_ms": (16.0, "ms"),
    "drag_step_ms": (16.0, "ms"),
    "rss_growth_mb": (250.0, "MB"),
}


# -- the test file -----------------------------------------------------------------------------
def make_wav(path: Path, hours: float) -> None:
    """Noise under a slow, speech-like envelope, written in chunks (never all in memory)."""
    frames = int(hours * 3600 * RATE)
    data_bytes = frames * CHANNELS * 2
    if data_bytes >= 2**32 - 64:
        raise SystemExit(f"{hours} hours does not fit in a plain WAV; use fewer hours")
    rng = np.random.default_rng(1)
    chunk, step = 1 << 20, 1024
    noise = np.clip(rng.normal(0, 0.3, (chunk, CHANNELS)), -1, 1).astype(np.float32)
    tmp = path.with_suffix(".part")
    with open(tmp, "wb") as out:
        out.write(b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE")
        out.write(b"fmt " + struct.pack("<IHHIIHH", 16, 1, CHANNELS, RATE, RATE * 4, 4, 16))
        out.write(b"data" + struct.pack("<I", data_bytes))
        for first in range(0, frames, chunk):
            n = min(chunk, frames - first)
            t = (first + np.arange(0, n, step)) / RATE
            gain = 0.03 + 0.97 * (0.5 + 0.5 * np.sin(t / 2.2)) * (0.5 + 0.5 * np.sin(t * 7.0))
            block = np.roll(noise, int(rng.integers(chunk)), axis=0)[:n]
            block *= np.repeat(gain.astype(np.float32), step)[:n, None]
            out.write((block * 32767).astype("<i2").tobytes())
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)


# -- memory ------------------------------------------------------------------------------------
def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory now (VmRSS) or its peak since `reset_rss_peak` (VmHWM), in MiB."""
    with open("/proc/self/status") as f:
        line = next(x for x in f if x.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def reset_rss_peak() -> None:
    # Linux: "5" resets VmHWM to the current RSS. If refused, the peak stays an overestimate.
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as f:
        f.write("5")


# -- the widget under test ---------------------------------------------------------------------
class RealTimeline:
    """The editor's timeline at the benchmark's size, driven the way the window drives it."""

    def __init__(self) -> None:
        from isolde.ui.common.edit_state import EditState
        from isolde.ui.timeline.timeline_widget import TimelineWidget

        self.edit_state = EditState()
        self.widget = TimelineWidget(self.edit_state)
        self.widget.resize(COLUMNS, HEIGHT)
        self.widget.show()

    def set_document(self, project, source, pyramid) -> None:  # type: ignore[no-untyped-def]
        self.widget.set_document(project, source, pyramid)

    def show_range(self, t0: float, t1: float) -> None:
        self.widget.view.show_range(t0, t1)

    def paint(self) -> None:
        """Paint now and synchronously, as one screen frame would."""
        self.widget.plot_widget.viewport().repaint()
        self.widget.overview.viewport().repaint()

    def drag_step(self, span_id: str, end: float) -> None:
        """One step of dragging a span's right edge: hit-free drag path + repaint."""
        from isolde.ui.marks.marks import find_mark

        marks = self.widget.marks
        if not marks.dragging:
            mark = find_mark(marks.project.state, span_id)
            marks.begin_drag("end", mark, mark.start)
        marks.drag_to(end)
        self.paint()


def make_timeline() -> RealTimeline:
    return RealTimeline()


# -- the measurements --------------------------------------------------------------------------
def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def zoom_plan(duration: float, seed: int = 5) -> list[tuple[float, float]]:
    """(t0, t1) views: widths from the whole file down to 100 samples, each panned 8 times."""
    rng = np.random.default_rng(seed)
    views, width, smallest = [], duration, 100 / RATE
    while True:
        width = max(width, smallest)
        t0 = float(rng.uniform(0, duration - width))
        for _ in range(8):
            t0 = min(max(t0, 0.0), duration - width)
            views.append((t0, t0 + width))
            t0 += width * 0.1 * (1 if rng.random() < 0.7 else -1)
        if width <= smallest:
            return views
        width /= 3


def run(path: Path, warm: bool) -> tuple[dict[str, float], dict[str, float], str]:
    """(the six figures, extra figures for the table, the widget's class name)."""
    from PySide6.QtWidgets import QApplication

    from isolde.audio import open_audio
    from isolde.audio.media_ref import describe_media
    from isolde.audio.pyramid import PeakPyramid
    from isolde.core.project import Project

    app = QApplication.instance() or QApplication([])
    timeline = make_timeline()
    app.processEvents()
    if not warm:  # drop the file from the page cache
        fd = os.open(path, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
    gc.collect()
    reset_rss_peak()
    base_rss, extra = rss_mb(), {}

    def repaint(view: tuple[float, float]) -> None:
        timeline.show_range(*view)
        timeline.paint()

    def open_and_paint() -> tuple[Project, PeakPyramid]:
        project = Project.new_for_media(describe_media(path))
        source = open_audio(path)
        pyramid = PeakPyramid.open(source)
        pyramid.start_background()
        timeline.set_document(project, source, pyramid)
        repaint((0.0, source.duration))
        return project, pyramid

    t0 = time.perf_counter()
    project, pyramid = open_and_paint()
    first_paint = time.perf_counter() - t0
    duration = project.state.duration or 0.0
    # Until the pyramid is exact, repaint the whole view every 100 ms, as the UI would.
    while_filling, next_paint = [], time.perf_counter() + 0.1
    while not pyramid.complete:
        if pyramid.error is not None:
            raise SystemExit(f"the pyramid failed: {pyramid.error}")
        if time.perf_counter() >= next_paint:
            while_filling.append(timed(lambda: repaint((0.0, duration))))
            next_paint += 0.1
        time.sleep(0.002)
    pyramid_s = time.perf_counter() - t0
    extra["cache write after (s)"] = timed(pyramid.wait) / 1000
    extra["repaint while filling, max (ms)"] = max(while_filling, default=0.0)

    plan = zoom_plan(duration)
    for view in plan[:5]:  # warm the code paths, not the data
        repaint(view)
    times = [timed(lambda v=view: repaint(v)) for view in plan]
    envelope_ms = [
        timed(lambda v=view: pyramid.envelope(int(v[0] * RATE), int(v[1] * RATE), COLUMNS))
        for view in plan
    ]
    extra["repaints measured"] = len(times)
    extra["repaint max (ms)"] = max(times)
    extra["envelope() alone, max (ms)"] = max(envelope_ms)

    # A span drag: many project updates in one undo step, each followed by a repaint.
    at = duration * 0.3
    repaint((at, at + 60.0))
    span_id = project.add_span(at + 10.0, at + 20.0, include=True)
    steps = []
    for i in range(60):

        def step(end: float = at + 20.0 + 0.3 * (i + 1)) -> None:
            timeline.drag_step(span_id, end)

        steps.append(timed(step))
    timeline.widget.marks.finish_drag()
    extra["drag step p95 (ms)"] = float(np.percentile(steps, 95))
    rss_growth = rss_mb("VmHWM") - base_rss
    extra["RSS growth at the end (MB)"] = rss_mb() - base_rss

    t1 = time.perf_counter()
    _, again = open_and_paint()  # a cache hit now
    extra["first paint, cache hit (s)"] = time.perf_counter() - t1
    extra["cache hit complete at once"] = float(again.complete)
    results = {
        "first_paint_s": first_paint,
        "pyramid_s": pyramid_s,
        "repaint_median_ms": statistics.median(times),
        "repaint_p95_ms": float(np.percentile(times, 95)),
        "drag_step_ms": statistics.median(steps),
        "rss_growth_mb": rss_growth,
    }
    return results, extra, type(timeline).__name__


def print_table(results: dict[str, float], extra: dict[str, float], note: str) -> None:
    print(f"{'metric':<36} {'value':>10} {'target':>10}  ")
    for key, value in results.items():
        limit, unit = TARGETS[key]
        verdict = "ok" if value <= limit else "OVER"
        print(f"{key:<36} {value:>10.3f} {'<= ' + format(limit, 'g') + ' ' + unit:>10}  {verdict}")
    for key, value in extra.items():
        print(f"  {key:<34} {value:>10.3f}")
    print(note)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Timeline benchmark (tests/bench/README.md)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--hours", type=float, default=3.0, help="length of the test file")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the test file")
    parser.add_argument("--warm", action="store_true", help="leave the file in the page cache")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "isolde-bench")
    args = parser.parse_args(argv)

    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"timeline-{args.hours:g}h-48k-stereo16.wav"
    expected = 44 + int(args.hours * 3600 * RATE) * CHANNELS * 2
    if not (args.keep and path.exists() and path.stat().st_size == expected):
        t = time.perf_counter()
        make_wav(path, args.hours)
        print(
            f"wrote {path} ({expected / 1e9:.2f} GB) in {time.perf_counter() - t:.1f} s",
            file=sys.stderr,
        )
    cache = tempfile.TemporaryDirectory(prefix="isolde-bench-cache-")
    os.environ["ISOLDE_CACHE_DIR"] = cache.name  # a cold pyramid cache
    try:
        results, extra, widget = run(path, args.warm)
    finally:
        cache.cleanup()
        if not args.keep:
            path.unlink(missing_ok=True)
    if args.json:
        print(json.dumps({k: round(v, 4) for k, v in results.items()}))
    else:
        note = (
            f"{args.hours:g} h file, {os.cpu_count()} cores, widget {widget}, page cache: "
            f"{'warm' if args.warm else 'file dropped before opening'}"
        )
        print_table(results, extra, note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
