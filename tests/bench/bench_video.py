"""Video benchmark (run on purpose, not by pytest):

    .venv/bin/python tests/bench/bench_video.py [--json] [--minutes 5] [--dir DIR] [--fresh]

Six figures, with issue 10's targets, on a generated 1080p H.264 file (25 fps, a keyframe every
2 s, `--minutes` long; a moving smooth texture under the frame number drawn as cells, and a
1 kHz click at every whole second of its AAC sound):

- `seek_median_ms` (≤ 80): `FrameCache.request(i)` → frame i ready, i random (seeded), the
  cache's prefetch left to settle between seeks. Each frame's drawn number is checked.
- `step_median_ms` (≤ 15): `VideoReader.frame(i + 1)` after `frame(i)` (no cache help), in
  runs of 25 from random starts.
- `track_fps` (≥ 30): CSRT (`isolde.video.tracking.track`) over a 640×360 moving-box video,
  frames tracked / wall time, decoding included.
- `mask_render_s` (≤ 10): `isolde.video.mask_video.render_mask_video` of the file's first
  minute at 1080p, one object with a rectangle and an ellipse keyframe (interpolated between).
- `mux_s` (≤ 5): `isolde.video.mux.mux` of the whole file with a WAV of its length into .mp4.
- `av_drift_ms` (≤ one frame, 40): the file's sound played from 0 through the real Player on a
  PullBackend (every sample pulled, the feeder awaited before each pull); at each click heard,
  |the player's position − the timeline time of the frame carrying that second|, the worst over
  the whole file; the frame chosen there by `VideoReader.index_at(position)` is decoded at the
  last clicks and its number checked.

The source file is cached in `--dir` (default $TMPDIR/isolde-bench-video) under a name made
of its parameters, so only the first run pays for it (several minutes on 2 cores); `--fresh`
makes it again. Missing modules (tracking, mask video, mux) are reported as such, with `null`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "video"))  # the test-video factory

from video_factory import make_moving_box_video, make_video, pattern_frame, read_frame_number  # noqa: E402

FPS, GOP, SIZE = 25, 50, (1920, 1080)
TARGETS = {
    "seek_median_ms": ("≤", 80.0),
    "step_median_ms": ("≤", 15.0),
    "track_fps": ("≥", 30.0),
    "mask_render_s": ("≤", 10.0),
    "mux_s": ("≤", 5.0),
    "av_drift_ms": ("≤", 1000.0 / FPS),
}


# -- the source file ---------------------------------------------------------------------------
def _texture(width: int, height: int) -> np.ndarray:
    import cv2

    rng = np.random.default_rng(5)
    small = rng.integers(50, 206, (height // 24 + 2, width // 24 + 2, 3), dtype=np.uint8)
    big = cv2.resize(small, (width + 48, height + 48), interpolation=cv2.INTER_CUBIC)
    return np.tile(big, (2, 2, 1))


def bench_pattern(width: int, height: int) -> Callable[[int, int, int], np.ndarray]:
    ground = _texture(width, height)
    cells = pattern_frame(0, width, height) != 128  # where the marker and cells go

    def draw(index: int, w: int, h: int) -> np.ndarray:
        dx, dy = (index * 6) % (width + 48), (index * 3) % (height + 48)
        img = ground[dy : dy + height, dx : dx + width].copy()
        numbered = pattern_frame(index, width, height)
        mask = cells | (numbered != 128)
        img[mask] = numbered[mask]
        return img

    return draw


def clicks(t: np.ndarray) -> np.ndarray:
    """A 5 ms 1 kHz click at every whole second over a quiet 220 Hz hum."""
    burst = (t % 1.0) < 0.005
    return np.where(burst, 0.6 * np.sin(2 * np.pi * 1000 * t), 0.02 * np.sin(2 * np.pi * 220 * t))


def source_video(folder: Path, minutes: float, fresh: bool) -> Path:
    name = f"bench-{SIZE[0]}x{SIZE[1]}-{FPS}fps-gop{GOP}-{minutes:g}min-v1.mp4"
    path = folder / name
    if path.exists() and not fresh:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".{name}.part.mp4"
    began = time.perf_counter()
    print(f"making {path} (once) ...", file=sys.stderr, flush=True)
    make_video(
        part,
        size=SIZE,
        fps=FPS,
        frames=round(minutes * 60 * FPS),
        gop=GOP,
        pattern=bench_pattern(*SIZE),
        sound=clicks,
        preset="ultrafast",
        crf=23,
    )
    os.replace(part, path)
    print(f"  made in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    return path


# -- figures -------------------------------------------------------------------------------------
def measure_seek(path: Path, count: int, seed: int = 1) -> dict[str, Any]:
    from isolde.video.frame_cache import FrameCache
    from isolde.video.frames import VideoReader

    times, wrong = [], 0
    with FrameCache(path, capacity=48, prefetch=8) as cache:
        cache.wait_open(60)
        rng = random.Random(seed)
        picks = [rng.randrange(cache.frame_count) for _ in range(count)]
        for index in picks:
            began = time.perf_counter()
            cache.request(index)
            image = cache.wait(index, 30)
            times.append((time.perf_counter() - began) * 1000)
            wrong += image is None or read_frame_number(image) != index
            cache.wait(min(index + cache.prefetch, cache.frame_count - 1), 30)  # let it settle
    direct = []
    with VideoReader(path) as reader:
        for index in picks[: count // 2]:
            began = time.perf_counter()
            reader.frame(index)
            direct.append((time.perf_counter() - began) * 1000)
    return {
        "seek_median_ms": statistics.median(times),
        "seek_p95_ms": float(np.percentile(times, 95)),
        "seek_direct_median_ms": statistics.median(direct),
        "seek_wrong_frames": wrong,
    }


def measure_step(path: Path, runs: int, seed: int = 2) -> dict[str, Any]:
    from isolde.video.frames import VideoReader

    times, wrong = [], 0
    with VideoReader(path) as reader:
        rng = random.Random(seed)
        for _ in range(runs):
            start = rng.randrange(reader.frame_count - 30)
            reader.frame(start)
            for index in range(start + 1, start + 26):
                began = time.perf_counter()
                image = reader.frame(index)
                times.append((time.perf_counter() - began) * 1000)
                wrong += read_frame_number(image) != index
    began = time.perf_counter()
    VideoReader(path).close()
    open_s = time.perf_counter() - began
    return {
        "step_median_ms": statistics.median(times),
        "step_p95_ms": float(np.percentile(times, 95)),
        "step_wrong_frames": wrong,
        "reader_open_s": open_s,
    }


def measure_track(folder: Path, frames: int = 300) -> dict[str, Any]:
    try:
        from isolde.video.tracking import track
    except ImportError as exc:
        return {"track_fps": None, "track_note": f"isolde.video.tracking missing ({exc})"}
    from isolde.video.frames import VideoReader

    path = folder / f"track-640x360-{frames}.mp4"
    boxes = make_moving_box_video(path, size=(640, 360), frames=frames, box_size=(64, 48))
    began = time.perf_counter()
    run = track(lambda: VideoReader(path), 0, boxes[0], direction=1)
    elapsed = time.perf_counter() - began
    errors = [max(abs(b.x - boxes[b.frame][0]), abs(b.y - boxes[b.frame][1])) for b in run]
    return {
        "track_fps": len(run) / elapsed,
        "track_frames": len(run),
        "track_worst_px": max(errors) if errors else None,
        "track_algorithm": getattr(run, "algorithm", "?"),
    }


def measure_mask(folder: Path, source: Path) -> dict[str, Any]:
    try:
        from isolde.video.mask_video import render_mask_video
        from isolde.video.polarity import polarity_for
    except ImportError as exc:
        return {"mask_render_s": None, "mask_note": f"mask renderer missing ({exc})"}
    from isolde.core.masks import MaskKeyframe, MaskObject, MaskShape

    end = 60 * FPS
    rect = MaskShape("rect", ((400.0, 300.0), (900.0, 700.0)))
    oval = MaskShape("ellipse", ((1000.0, 200.0), (1600.0, 800.0)))
    obj = MaskObject("bench", keyframes=(MaskKeyframe(0, (rect,)), MaskKeyframe(end - 1, (oval,))))
    out = folder / "mask-1min.mp4"
    began = time.perf_counter()
    render_mask_video(
        source, [obj], out, polarity=polarity_for("fal"), start_frame=0, end_frame=end
    )
    elapsed = time.perf_counter() - began
    out.unlink(missing_ok=True)
    return {"mask_render_s": elapsed}


def measure_mux(folder: Path, source: Path, minutes: float) -> dict[str, Any]:
    try:
        from isolde.video.mux import mux
    except ImportError as exc:
        return {"mux_s": None, "mux_note": f"isolde.video.mux missing ({exc})"}
    import soundfile as sf

    wav = folder / f"mux-{minutes:g}min.wav"
    if not wav.exists():
        frames = round(minutes * 60 * 48000)
        with sf.SoundFile(wav, "w", 48000, 2, "PCM_16") as f:
            rng = np.random.default_rng(0)
            block = (rng.normal(0, 0.1, (1 << 16, 2))).astype(np.float32)
            for done in range(0, frames, len(block)):
                f.write(block[: min(len(block), frames - done)])
    out = folder / "muxed.mp4"
    began = time.perf_counter()
    report = mux(source, wav, out)
    elapsed = time.perf_counter() - began
    out.unlink(missing_ok=True)
    return {"mux_s": elapsed, "mux_padded_s": report.padded_s, "mux_trimmed_s": report.trimmed_s}


def measure_drift(source: Path) -> dict[str, Any]:
    from isolde.audio import open_audio
    from isolde.audio.playback import Player
    from isolde.audio.pull_backend import PullBackend
    from isolde.video.frames import VideoReader

    began = time.perf_counter()
    audio = open_audio(source)
    decode_s = time.perf_counter() - began
    rate = audio.sample_rate
    reader = VideoReader(source)
    origin = reader.info.audio_start  # container time of the timeline's t = 0
    backend = PullBackend()
    player = Player(backend=backend, blocksize=8192)
    player.set_sources({"original": audio}, rate, audio.channels)
    player.play(0.0)
    drifts: list[tuple[float, float, int, int]] = []  # |drift| s, position, chosen, expected
    heard = 0
    next_second = 1
    try:
        while player.playing:
            player.wait_buffered()
            block = backend.pull()[:, 0]
            position = player.position
            loud = np.flatnonzero(np.abs(block) > 0.3)
            if loud.size and heard + loud[0] >= (next_second - origin - 0.1) * rate:
                at_click = position - (len(block) - loud[0]) / rate
                frame = next_second * FPS  # the frame drawn at this container second
                if frame < reader.frame_count:
                    drift = abs(at_click - reader.time_of(frame))
                    drifts.append((drift, at_click, reader.index_at(at_click), frame))
                next_second += 1
            heard += len(block)
        checked = [
            read_frame_number(reader.frame(chosen)) == chosen and abs(chosen - expected) <= 1
            for _, _, chosen, expected in drifts[-3:]
        ]
    finally:
        player.close()
        reader.close()
    worst = max(d[0] for d in drifts) if drifts else None
    return {
        "av_drift_ms": None if worst is None else worst * 1000,
        "av_clicks": len(drifts),
        "av_played_s": heard / rate,
        "av_last_frames_ok": all(checked),
        "av_underruns": player.underruns,
        "audio_decode_s": decode_s,
    }


# -- report --------------------------------------------------------------------------------------
def verdict(key: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    sign, target = TARGETS[key]
    ok = value <= target if sign == "≤" else value >= target
    return f"{'ok' if ok else 'MISS'} ({sign} {target:g})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "isolde-bench-video"
    )
    parser.add_argument("--fresh", action="store_true", help="make the source file again")
    parser.add_argument("--seeks", type=int, default=40)
    parser.add_argument("--step-runs", type=int, default=8)
    args = parser.parse_args(argv)
    os.environ.setdefault("ISOLDE_CACHE_DIR", str(args.dir / "cache"))
    source = source_video(args.dir, args.minutes, args.fresh)
    results: dict[str, Any] = {}
    steps: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("seek", lambda: measure_seek(source, args.seeks)),
        ("step", lambda: measure_step(source, args.step_runs)),
        ("track", lambda: measure_track(args.dir)),
        ("mask", lambda: measure_mask(args.dir, source)),
        ("mux", lambda: measure_mux(args.dir, source, args.minutes)),
        ("drift", lambda: measure_drift(source)),
    ]
    for name, run in steps:
        print(f"measuring {name} ...", file=sys.stderr, flush=True)
        began = time.perf_counter()
        try:
            results.update(run())
        except Exception as exc:  # a helper's module failing must not hide the other figures
            results[f"{name}_error"] = f"{type(exc).__name__}: {exc}"
        results[f"{name}_wall_s"] = round(time.perf_counter() - began, 2)
    keys = list(TARGETS)
    if args.json:
        print(json.dumps({k: results.get(k) for k in keys} | {"details": results}))
        return 0
    print(f"source: {source} ({source.stat().st_size / 1e6:.0f} MB)")
    print(f"{'figure':<18}{'value':>12}  target")
    for key in keys:
        value = results.get(key)
        shown = "—" if value is None else f"{value:.2f}"
        print(f"{key:<18}{shown:>12}  {verdict(key, value)}")
    print("details:")
    for key, value in results.items():
        if key not in keys:
            print(f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
