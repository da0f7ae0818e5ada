"""A layer's audio: the sum of its parts (take files), on the source's timeline.

One place for the arithmetic, so that what is peeled (`write_layer` feeds a split), exported
(`jobs.stems`) and checked in tests is the same sum. Takes are matched to their source when
stored, so every part has the source's rate and length; a part of another length is padded with
silence or cut, and a mono part over a multichannel source is spread over its channels (as
`audio.splice` does). Parts are summed in float64 and rounded to float32 once, so the leaves
add up to the source as closely as a take's target + residual does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np

from isolde.audio import AudioSource, OutputFormat, open_audio
from isolde.audio.writer import AudioWriter
from isolde.core.errors import AudioFileError, InputError
from isolde.core.layers import Layer
from isolde.core.progress import CancelToken, ProgressFn, no_progress
from isolde.core.state import ProjectState

BLOCK = 1 << 16
FLOAT_WAV = OutputFormat("wav", "float")


class LayerReader:
    """Blocks of one layer's audio; open with `open_layer`. `parts` is empty for the source."""

    def __init__(self, source: AudioSource, parts: list[AudioSource]) -> None:
        self.source = source
        self.parts = parts
        for part in parts:
            if part.sample_rate != source.sample_rate:
                raise AudioFileError(
                    part.info.path,
                    f"this layer's file is at {part.sample_rate} Hz but the source at "
                    f"{source.sample_rate} Hz; run that separation again",
                )

    @property
    def sample_rate(self) -> int:
        return self.source.sample_rate

    @property
    def channels(self) -> int:
        return self.source.channels

    @property
    def frames(self) -> int:
        return self.source.frames

    def read(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Frames [start, stop) as float32 (n, channels), clipped to the source's length."""
        stop = self.frames if stop is None else min(stop, self.frames)
        start = max(0, min(start, stop))
        if not self.parts:
            return self.source.read(start, stop)
        out = np.zeros((stop - start, self.channels), dtype=np.float64)
        for part in self.parts:
            got = part.read(start, stop).astype(np.float64)
            if got.shape[1] != self.channels:
                got = np.repeat(got.mean(axis=1, keepdims=True), self.channels, axis=1)
            out[: len(got)] += got
        return out.astype(np.float32)


@contextmanager
def open_layer(state: ProjectState, layer: Layer) -> Iterator[LayerReader]:
    with ExitStack() as stack:
        source = stack.enter_context(open_audio(_media_path(state)))
        parts = [stack.enter_context(open_audio(path)) for path in part_files(state, layer)]
        yield LayerReader(source, parts)


def part_files(state: ProjectState, layer: Layer) -> list[str]:
    """The files whose sum is the layer ([] for the source itself)."""
    return [state.take(p.take).files[p.role] for p in layer.parts]


def layer_samples(state: ProjectState, layer: Layer) -> np.ndarray:
    """The whole layer in memory, float32 (frames, channels), the source's length and rate."""
    with open_layer(state, layer) as reader:
        return reader.read()


def write_layer(
    state: ProjectState,
    layer: Layer,
    path: str | Path,
    fmt: OutputFormat = FLOAT_WAV,
    *,
    gain: float = 1.0,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> Path:
    """The layer as one file (written atomically), the source's length; float WAV by default,
    so a layer written to be peeled loses nothing. `fmt.sample_rate` resamples on the way out."""
    with open_layer(state, layer) as reader:
        return write_blocks(
            reader.frames,
            reader.sample_rate,
            reader.channels,
            lambda a, b: reader.read(a, b) * np.float32(gain) if gain != 1.0 else reader.read(a, b),
            Path(path),
            fmt,
            progress=progress,
            cancel=cancel,
        )


def layer_media(state: ProjectState, layer: Layer, work_dir: str | Path) -> Path:
    """A file holding the layer's audio, to send to an engine: the source or the part's own
    file when the layer is one of those, else the sum written into `work_dir`."""
    files = part_files(state, layer)
    if not files:
        return Path(_media_path(state))
    if len(files) == 1:
        return Path(files[0])
    folder = Path(work_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return write_layer(state, layer, folder / f"layer-{layer.id}.wav")


def write_blocks(
    frames: int,
    rate: int,
    channels: int,
    read: Callable[[int, int], np.ndarray],  # (start, stop) -> float32 block
    dest: Path,
    fmt: OutputFormat,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> Path:
    """Stream frames [0, frames) from `read` into `dest` (resampled if `fmt` asks)."""
    from isolde.audio.resampling import Resampler

    out_rate = fmt.sample_rate or rate
    resampler = Resampler(rate, out_rate, channels) if out_rate != rate else None
    with AudioWriter(dest, out_rate, channels, fmt) as writer:
        for a in range(0, frames, BLOCK):
            if cancel is not None:
                cancel.raise_if_cancelled()
            b = min(a + BLOCK, frames)
            block = read(a, b)
            writer.write(resampler.process(block) if resampler else block)
            progress(b / max(frames, 1), "writing")
        if resampler is not None:
            writer.write(resampler.flush())
    return dest


def _media_path(state: ProjectState) -> str:
    if state.media is None:
        raise InputError("the project has no media; open a recording first")
    return state.media.path
