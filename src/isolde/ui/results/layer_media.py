"""The leaf layers' audio opened for listening and drawing: one AudioSource and one PeakPyramid
per leaf. No Qt: `open_layer_media` runs on a worker thread.

A leaf made of one take file plays that file as it is; a merged leaf (several parts) is rendered
once by `jobs.layer_audio.write_layer` into a cache file named after its parts, so each leaf is
one lane whose waveform is what it sounds like.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from isolde.audio import AudioSource, open_audio
from isolde.audio.pyramid import PeakPyramid
from isolde.core.errors import InputError
from isolde.core.layers import Layer
from isolde.core.progress import CancelToken
from isolde.core.state import ProjectState

CACHE_FOLDER = "layers"  # under the project's takes folder


@dataclass
class LayerMedia:
    sources: dict[str, AudioSource] = field(default_factory=dict)  # by layer id
    pyramids: dict[str, PeakPyramid] = field(default_factory=dict)

    def close(self) -> None:
        for pyramid in self.pyramids.values():
            pyramid.cancel()
        for source in self.sources.values():
            source.close()


def part_files(state: ProjectState, layer: Layer) -> tuple[str, ...]:
    """The files whose sum is the layer's audio (the source's for the root)."""
    if not layer.parts:
        if state.media is None:
            raise InputError("open a recording first")
        return (state.media.path,)
    takes = {t.id: t for t in state.takes}
    files = []
    for part in layer.parts:
        take = takes.get(part.take)
        if take is None or part.role not in take.files:
            raise InputError(f"layer “{layer.name}”: the {part.role} of take {part.take} is gone")
        files.append(take.files[part.role])
    return tuple(files)


def media_key(state: ProjectState, layer: Layer) -> tuple[str, ...]:
    """What decides a leaf's audio: when it is unchanged the opened file can stay."""
    return part_files(state, layer)


def layer_file(state: ProjectState, layer: Layer, cache_dir: Path) -> Path:
    """One file holding the layer's audio: the file itself for one part (or the source for
    the root), else a render of the sum in `cache_dir` (kept: the same parts give the same
    name, so a leaf is rendered once)."""
    files = part_files(state, layer)
    if len(files) == 1:
        return Path(files[0])
    digest = hashlib.sha1(json.dumps(files).encode("utf-8")).hexdigest()[:16]
    path = cache_dir / f"layer-{digest}.wav"
    if not path.exists():
        from isolde.jobs.layer_audio import write_layer  # numpy work: only when merging

        path.parent.mkdir(parents=True, exist_ok=True)
        write_layer(state, layer, path)
    return path


def open_layer_media(
    state: ProjectState, layers: tuple[Layer, ...], cache_dir: Path, rate: int, cancel: CancelToken
) -> LayerMedia:
    """Open every layer's file; they must be at the source's rate to play beside it."""
    media = LayerMedia()
    try:
        for layer in layers:
            cancel.raise_if_cancelled()
            path = layer_file(state, layer, cache_dir)
            if not path.exists():
                raise InputError(f"layer “{layer.name}”: its file is missing ({path})")
            source = open_audio(path, cancel=cancel)
            media.sources[layer.id] = source
            if source.sample_rate != rate:
                raise InputError(
                    f"layer “{layer.name}” is at {source.sample_rate} Hz but the recording at "
                    f"{rate} Hz; split it again"
                )
            media.pyramids[layer.id] = PeakPyramid.open(source)
    except BaseException:
        media.close()
        raise
    return media
