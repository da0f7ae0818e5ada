"""A splice: a stretch of the source replaced by a take's audio (a remix of its files at their
gains, or an inpainted stretch), faded in and out inside its range. No Qt.

`splice_block` is the one place the arithmetic lives: export (`audio.render.render`) writes with
it and `audio.edited_source.EditedSource` reads with it, so what is heard and drawn is what File →
Export writes.

A remix fades linearly: target + residual is the source, so at unity gains nothing changes at
all. An inpainted stretch is new sound, uncorrelated with what it replaces, so it fades with
equal power (no dip in loudness at the seams).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from isolde.audio.source import AudioSource
from isolde.core.errors import AudioFileError


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


def check_splices(source: AudioSource, splices: Sequence[Splice]) -> None:
    """Raise AudioFileError unless every file of every splice runs at the source's rate."""
    for splice in splices:
        for part, _ in splice.parts:
            check_aligned(source, part)


def splice_block(y: np.ndarray, first: int, splices: Sequence[Splice]) -> np.ndarray:
    """Frames [first, first + len(y)) of the source (float32) with every splice laid over them
    in order (the later wins); returns a float32 array (`y` itself where none touches it)."""
    last = first + len(y)
    touching = [s for s in splices if s.start < last and s.stop > first]
    if not touching:
        return y
    out = y.astype(np.float64)
    channels = y.shape[1]
    for splice in touching:
        lo, hi = max(first, splice.start), min(last, splice.stop)
        w = splice.weight(lo, hi)[:, None]
        made = splice.content(lo, hi, channels)
        at = slice(lo - first, hi - first)
        seg = out[at]
        if splice.equal_power:
            out[at] = np.cos(w * np.pi / 2) * seg + np.sin(w * np.pi / 2) * made
        else:
            out[at] = (1.0 - w) * seg + w * made
    return out.astype(np.float32)
