"""Render a file with splices (see `audio.splice`): remixes of a take (target and residual
gains) or inpainted stretches laid over the source, each faded in and out inside its range.
Streamed in blocks (constant memory), cancellable, resampled on the way out when asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from isolde.audio.output_format import OutputFormat
from isolde.audio.resampling import Resampler
from isolde.audio.source import AudioSource
from isolde.audio.splice import Splice, check_splices, splice_block
from isolde.audio.writer import AudioWriter
from isolde.core.progress import CancelToken, ProgressFn, no_progress

BLOCK = 1 << 16


def render(
    source: AudioSource,
    splices: Sequence[Splice],
    dest: Path,
    fmt: OutputFormat,
    *,
    start: int = 0,
    stop: int | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> Path:
    """Write source[start:stop] with every splice applied in order (the later wins)."""
    stop = source.frames if stop is None else min(stop, source.frames)
    check_splices(source, splices)
    rate, channels = source.sample_rate, source.channels
    out_rate = fmt.sample_rate or rate
    resampler = Resampler(rate, out_rate, channels) if out_rate != rate else None
    with AudioWriter(dest, out_rate, channels, fmt) as writer:
        for a in range(start, stop, BLOCK):
            if cancel is not None:
                cancel.raise_if_cancelled()
            b = min(a + BLOCK, stop)
            block = splice_block(source.read(a, b), a, splices)
            writer.write(resampler.process(block) if resampler else block)
            progress((b - start) / max(stop - start, 1), "rendering")
        if resampler is not None:
            writer.write(resampler.flush())
    return dest
