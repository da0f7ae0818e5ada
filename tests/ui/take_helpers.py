"""Real takes for the results tests: a stereo recording run through the offline engine, and a
window whose player renders through a PullBackend (the test stands in for the sound card)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from window_helpers import open_in_window

from isolde.audio import OutputFormat
from isolde.audio.playback import Player
from isolde.audio.pull_backend import PullBackend
from isolde.core.spans import InpaintRegion, Span
from isolde.core.takes import Take
from isolde.jobs.runner import run_to_take
from isolde.providers.base import Request, RequestKind
from isolde.providers.local.provider import LocalProvider
from isolde.ui.shell.main_window import MainWindow

RATE = 48_000
BLOCK = 256


def stereo_wav(path: Path, seconds: float = 4.0) -> Path:
    """A steady hum and hiss throughout (left louder), and a warbling whistle from 1.2 s to
    3.2 s panned right: excluding 0–1 s makes the whistle the target."""
    rng = np.random.default_rng(3)
    t = np.arange(int(seconds * RATE)) / RATE
    background = 0.08 * np.sin(2 * np.pi * 120 * t) + 0.03 * rng.standard_normal(len(t))
    burst = ((t > 1.2) & (t < 3.2)) * 0.35 * np.sin(2 * np.pi * (900 * t + 40 * np.sin(9 * t)))
    left, right = background + 0.4 * burst, 0.6 * background + burst
    sf.write(path, np.stack([left, right], axis=1).astype(np.float32), RATE, subtype="FLOAT")
    return path


def load_take(out_dir: Path) -> Take:
    doc = json.loads((out_dir / "take.json").read_text())
    return Take.from_json(doc["take"]).resolved(out_dir)


def separation_take(
    source: Path, out_dir: Path, *, exclude: tuple[float, float] = (0.0, 1.0)
) -> Take:
    request = Request(RequestKind.SPANS, str(source), spans=(Span(*exclude, include=False),))
    run_to_take(LocalProvider(), request, out_dir, OutputFormat())
    return load_take(out_dir)


def inpaint_take(source: Path, out_dir: Path, region: tuple[float, float] = (1.5, 2.0)) -> Take:
    request = Request(RequestKind.INPAINT, str(source), region=InpaintRegion(*region, "hum"))
    run_to_take(LocalProvider(), request, out_dir, OutputFormat())
    return load_take(out_dir)


def scene_takes(folder: Path, *, other: bool = False) -> dict[str, Any]:
    """`stereo_wav` in `folder` as "source", with its takes: "spans" (0–1 s excluded), with
    `other` a second separation ("other", 3.4–4 s excluded), and "inpaint" (1.5–2 s)."""
    source = stereo_wav(folder / "scene.wav")
    takes: dict[str, Any] = {"source": source, "spans": separation_take(source, folder / "spans")}
    if other:
        takes["other"] = separation_take(source, folder / "other", exclude=(3.4, 4.0))
    takes["inpaint"] = inpaint_take(source, folder / "inpaint")
    return takes


def results_window(qtbot, path: Path, backend: PullBackend | None = None) -> MainWindow:  # type: ignore[no-untyped-def]
    backend = backend or PullBackend()
    return open_in_window(
        qtbot, path, (1400, 820), player_factory=lambda: Player(backend=backend, blocksize=BLOCK)
    )


def wait_lanes(qtbot, window: MainWindow, names: list[str]) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: not window.results.loading and window.timeline.take_lanes.names == names,
        timeout=10_000,
    )


def takes_window(  # type: ignore[no-untyped-def]
    qtbot, takes: dict[str, Any], *keys: str, backend: PullBackend | None = None
) -> MainWindow:
    """A results window on `takes["source"]` with the takes named by `keys` added in order
    (the last added is active); it does not wait for their lanes."""
    window = results_window(qtbot, takes["source"], backend)
    for key in keys:
        window.project.add_take(takes[key])
    return window


def play_settled(window: MainWindow, backend: PullBackend, t: float) -> None:
    """Play from `t` and pull ten blocks, so that what comes next is past the start."""
    player = window.transport.player
    window.seek(t)
    window.transport.play(t)
    for _ in range(10):
        player.wait_buffered(1.0)
        backend.pull(BLOCK)


def pull_heard(window: MainWindow, backend: PullBackend, blocks: int = 8) -> tuple[int, np.ndarray]:
    """Pull `blocks` blocks of what the sound card gets: (the source frame the player was at
    when they began, the samples)."""
    player = window.transport.player
    start = round(player.position * RATE)
    out = []
    for _ in range(blocks):
        player.wait_buffered(1.0)
        out.append(backend.pull(BLOCK))
    return start, np.concatenate(out)
