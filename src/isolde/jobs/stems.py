"""Stems export: each leaf layer as its own file, a mix of them, and a JSON manifest.

Every stem has the source's length (and rate, unless the format asks for another), so stems
dropped into any editor line up; at unity gains the stems add up to the source. The mix is the
leaves at their gains, mute and solo as set (what the editor plays). Files are written
atomically (each by `AudioWriter`), the manifest last: a folder with a manifest is complete.

Manifest (`stems.json`):

    {"format": "isolde-stems", "version": 1, "source": "/abs/source.wav", "rate": 48000,
     "frames": 480000, "channels": 2, "output_format": "wav:float", "mix": "mix.wav",
     "stems": [{"id": "...", "name": "Voice", "colour": "#4e9af1", "gain_db": 0.0, "mute": false,
                "solo": false, "file": "01-voice.wav",
                "parts": [{"take": "id", "role": "target", "file": "/abs/target.wav"}]}]}

`rate` and `frames` describe the written files (after any resampling).
"""

from __future__ import annotations

import json
import re
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from isolde.audio import OutputFormat
from isolde.core.atomic import atomic_write_text
from isolde.core.errors import InputError
from isolde.core.layers import Layer, layer_colour, leaf_gains
from isolde.core.progress import CancelToken, ProgressFn, no_progress
from isolde.core.state import ProjectState
from isolde.jobs.layer_audio import LayerReader, open_layer, part_files, write_blocks, write_layer

MANIFEST = "stems.json"
MIX_STEM = "mix"


@dataclass(frozen=True)
class StemsResult:
    folder: Path
    manifest: Path
    stems: tuple[Path, ...]
    mix: Path | None


def stem_names(layers: tuple[Layer, ...], extension: str) -> list[str]:
    """File names: the position (so they sort as the tree does), then the name made safe."""
    names = []
    for i, layer in enumerate(layers, 1):
        slug = re.sub(r"[^\w\-]+", "-", layer.name.strip().lower()).strip("-_") or "layer"
        names.append(f"{i:02d}-{slug[:40]}{extension}")
    return names


def write_mix(
    state: ProjectState,
    dest: str | Path,
    fmt: OutputFormat,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> Path:
    """The leaves summed at their gains, with mute and solo applied (`core.layers.leaf_gains`)."""
    heard = [(layer, gain) for layer, gain in leaf_gains(state) if gain != 0.0]
    readers: list[tuple[LayerReader, float]] = []
    with ExitStack() as stack:
        first = stack.enter_context(open_layer(state, leaf_gains(state)[0][0]))
        for layer, gain in heard:
            readers.append((stack.enter_context(open_layer(state, layer)), gain))

        def read(a: int, b: int) -> np.ndarray:
            out = np.zeros((b - a, first.channels), dtype=np.float64)
            for reader, gain in readers:
                out += gain * reader.read(a, b).astype(np.float64)
            return out.astype(np.float32)

        return write_blocks(
            first.frames,
            first.sample_rate,
            first.channels,
            read,
            Path(dest),
            fmt,
            progress=progress,
            cancel=cancel,
        )


def export_stems(
    state: ProjectState,
    folder: str | Path,
    fmt: OutputFormat,
    *,
    mix: bool = True,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> StemsResult:
    """Write every leaf (and the mix) into `folder`, then the manifest."""
    if state.media is None:
        raise InputError("the project has no media; open a recording first")
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file; give a folder for the stems")
    out.mkdir(parents=True, exist_ok=True)
    gains = leaf_gains(state)
    layers = tuple(layer for layer, _ in gains)
    names = stem_names(layers, fmt.extension)
    _check_not_inputs(state, out, [*names, f"{MIX_STEM}{fmt.extension}"])
    total = len(layers) + (1 if mix else 0)
    written: list[Path] = []
    for i, (layer, name) in enumerate(zip(layers, names, strict=True)):
        step = _step(progress, i, total, f"stem {layer.name}")
        written.append(write_layer(state, layer, out / name, fmt, progress=step, cancel=cancel))
    mix_path = None
    if mix:
        step = _step(progress, len(layers), total, "mix")
        mix_path = write_mix(
            state, out / f"{MIX_STEM}{fmt.extension}", fmt, progress=step, cancel=cancel
        )
    manifest = out / MANIFEST
    atomic_write_text(
        manifest,
        json.dumps(_manifest(state, fmt, layers, names, written, mix_path), indent=2) + "\n",
    )
    return StemsResult(out, manifest, tuple(written), mix_path)


def _manifest(
    state: ProjectState,
    fmt: OutputFormat,
    layers: tuple[Layer, ...],
    names: list[str],
    written: list[Path],
    mix_path: Path | None,
) -> dict:
    from isolde.audio import probe

    info = probe(written[0])
    stems = []
    for layer, name in zip(layers, names, strict=True):
        files = part_files(state, layer)
        parts = [
            {"take": p.take, "role": p.role, "file": f}
            for p, f in zip(layer.parts, files, strict=True)
        ]
        stems.append(
            {
                "id": layer.id,
                "name": layer.name,
                "colour": layer_colour(state, layer),
                "gain_db": layer.gain_db,
                "mute": layer.mute,
                "solo": layer.solo,
                "file": name,
                "parts": parts,
            }
        )
    assert state.media is not None
    return {
        "format": "isolde-stems",
        "version": 1,
        "source": state.media.path,
        "rate": info.sample_rate,
        "frames": info.frames,
        "channels": info.channels,
        "output_format": str(fmt),
        "mix": None if mix_path is None else mix_path.name,
        "stems": stems,
    }


def _check_not_inputs(state: ProjectState, out: Path, names: list[str]) -> None:
    """Never write over the source or a take's file (a stems folder inside a take folder)."""
    inputs = {Path(state.media.path).resolve()} if state.media else set()
    inputs |= {Path(f).resolve() for take in state.takes for f in take.files.values()}
    for name in names:
        if (out / name).resolve() in inputs:
            raise InputError(
                f"{out / name}: is one of the project's own files; pick another folder"
            )


def _step(progress: ProgressFn, index: int, total: int, what: str) -> ProgressFn:
    def report(fraction: float, _message: str = "") -> None:
        progress((index + fraction) / total, what)

    return report
