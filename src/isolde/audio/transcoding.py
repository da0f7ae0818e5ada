"""Streams a source (or a range of it) into a file in another format or rate."""

from __future__ import annotations

import os
from pathlib import Path

from isolde.audio.output_format import OutputFormat
from isolde.audio.resampling import Resampler
from isolde.audio.source import AudioSource
from isolde.audio.writer import AudioWriter
from isolde.core.progress import CancelToken, ProgressFn

BLOCK_FRAMES = 1 << 16


def transcode(
    source: AudioSource,
    path: str | os.PathLike[str],
    fmt: OutputFormat,
    *,
    start: int = 0,
    stop: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """Write frames [start, stop) of `source` to `path` in `fmt`, in constant memory.

    Resamples when `fmt.sample_rate` differs from the source's. Cancelling (or any error)
    leaves nothing at `path`.
    """
    out_rate = fmt.sample_rate or source.sample_rate
    resampler = (
        Resampler(source.sample_rate, out_rate, source.channels)
        if out_rate != source.sample_rate
        else None
    )
    first = min(max(start, 0), source.frames)
    last = source.frames if stop is None else min(max(stop, first), source.frames)
    total = max(last - first, 1)
    label = f"writing {Path(path).name}"
    with AudioWriter(path, out_rate, source.channels, fmt) as writer:
        for frame, block in source.blocks(BLOCK_FRAMES, first, last):
            if cancel is not None:
                cancel.raise_if_cancelled()
            writer.write(resampler.process(block) if resampler else block)
            if progress is not None:
                progress((frame + len(block) - first) / total * 0.999, label)
        if resampler is not None:
            writer.write(resampler.flush())
        if cancel is not None:
            cancel.raise_if_cancelled()
    if progress is not None:
        progress(1.0, label)
    return writer.path
