"""Render a file with splices: remixes of a take (target and residual gains) or inpainted
stretches laid over the source, each faded in and out inside its range. Streamed in blocks
(constant memory), cancellable, resampled on the way out when asked.

A remix fades linearly: target + residual is the source, so at unity gains nothing changes at
all. An inpainted stretch is new sound, uncorrelated with what it replaces, so it fades with
equal power (no dip in loudness at the seams).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from isolde.audio.output_format import OutputFormat
from isolde.audio.resampling import Resampler
from isolde.audio.source import AudioSource
from isolde.audio.writer import AudioWriter
from isolde.core.errors import AudioFileError
from isolde.core.progress import CancelToken, ProgressFn, no_progress

BLOCK = 1 << 16


@dataclass(frozen=True)
class Splice:
    start: int  # frames, in the source's timeline
    stop: int
    fade: int  # frames of fade at each end, inside [start, stop)
    parts: tuple[tuple[AudioSource, float], ...]  # (file, linear gain), summed
    equal_power: bool = False

    def weight(self, lo: int, hi: int) -> np.ndarray:
        t = np.arange(lo, hi, dtype=np.float64)
        if self.fade <= 0:
            return np.ones(hi - lo)
        rise = np.clip((t - self.start + 0.5) / self.fade, 0.0, 1.0)
        fall = np.clip((self.stop - t - 0.5) / self.fade, 0.0, 1.0)
        return np.minimum(rise, fall)

    def content(self, lo: int, hi: int, channels: int) -> np.ndarray:
        out = np.zeros((hi - lo, channels))
        for source, gain in self.parts:
            if gain == 0.0:
                continue
            got = source.read(lo, hi).astype(np.float64)
            if got.shape[1] != channels:  # a mono take over a multichannel source
                got = np.repeat(got.mean(axis=1, keepdims=True), channels, axis=1)
            out[: len(got)] += gain * got
        return out


def check_aligned(source: AudioSource, take_file: AudioSource) -> None:
    if take_file.sample_rate != source.sample_rate:
        raise AudioFileError(
            take_file.info.path,
            f"the take is at {take_file.sample_rate} Hz but the source at {source.sample_rate} Hz; "
            "run the separation again (takes are matched to their source when stored)",
        )


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
    for splice in splices:
        for part, _ in splice.parts:
            check_aligned(source, part)
    rate, channels = source.sample_rate, source.channels
    out_rate = fmt.sample_rate or rate
    resampler = Resampler(rate, out_rate, channels) if out_rate != rate else None
    with AudioWriter(dest, out_rate, channels, fmt) as writer:
        for a in range(start, stop, BLOCK):
            if cancel is not None:
                cancel.raise_if_cancelled()
            b = min(a + BLOCK, stop)
            y = source.read(a, b).astype(np.float64)
            for splice in splices:
                lo, hi = max(a, splice.start), min(b, splice.stop)
                if hi <= lo:
                    continue
                w = splice.weight(lo, hi)[:, None]
                made = splice.content(lo, hi, channels)
                seg = y[lo - a : hi - a]
                if splice.equal_power:
                    y[lo - a : hi - a] = np.cos(w * np.pi / 2) * seg + np.sin(w * np.pi / 2) * made
                else:
                    y[lo - a : hi - a] = (1.0 - w) * seg + w * made
            block = y.astype(np.float32)
            writer.write(resampler.process(block) if resampler else block)
            progress((b - start) / max(stop - start, 1), "rendering")
        if resampler is not None:
            writer.write(resampler.flush())
    return dest
