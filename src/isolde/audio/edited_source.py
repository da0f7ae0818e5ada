"""The recording as edited: the source with its applied edits spliced in, read on demand. No Qt.

It reads like an `AudioSource` (`read`, `read_mono`, `frames`, `sample_rate`, `channels`,
`info`), so the player, the spectrogram and the peak overlay take it where they take the
source. Blocks are spliced with the very arithmetic export renders with (`splice_block`, over
`audio.render.Splice`), so what is heard and drawn is what File → Export writes. Nothing is
rendered ahead: a read touches the source and, where an edit covers it, the take's files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from isolde.audio.info import AudioInfo
from isolde.audio.render import Splice, check_aligned
from isolde.audio.source import AudioSource


def splice_block(y: np.ndarray, first: int, splices: Sequence[Splice]) -> np.ndarray:
    """Frames [first, first + len(y)) of the source (float32) with every splice laid over them
    in order (the later wins), as `audio.render.render` does; returns a float32 array."""
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


def merged_ranges(splices: Sequence[Splice]) -> list[tuple[int, int]]:
    """The frame ranges the splices cover, overlapping or touching ones merged, in order."""
    merged: list[tuple[int, int]] = []
    for start, stop in sorted((s.start, s.stop) for s in splices if s.stop > s.start):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


class EditedSource:
    """`base` with `splices` applied, read like an AudioSource (float32, never a memory map)."""

    scale = 1.0
    offset = 0.0
    samples = None  # no one array holds it: peaks of it are float32 (see PeakFormat.of)

    def __init__(self, base: AudioSource, splices: Sequence[Splice]) -> None:
        for splice in splices:
            for part, _ in splice.parts:
                check_aligned(base, part)
        self.base = base
        self.splices = tuple(splices)
        self.ranges = merged_ranges(self.splices)

    @property
    def info(self) -> AudioInfo:
        return self.base.info

    @property
    def sample_rate(self) -> int:
        return self.base.sample_rate

    @property
    def channels(self) -> int:
        return self.base.channels

    @property
    def frames(self) -> int:
        return self.base.frames

    @property
    def duration(self) -> float:
        return self.base.duration

    @property
    def closed(self) -> bool:
        return self.base.closed

    def touches(self, start: int, stop: int) -> bool:
        """True when an edit covers any frame of [start, stop)."""
        return any(a < stop and b > start for a, b in self.ranges)

    def read(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Frames [start, stop) as edited, float32 (n, channels); bounds clipped to the file."""
        stop = self.frames if stop is None else min(max(int(stop), 0), self.frames)
        start = min(max(int(start), 0), stop)
        return splice_block(self.base.read(start, stop), start, self.splices)

    def read_mono(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        block = self.read(start, stop)
        if block.shape[1] == 1:
            return block[:, 0].copy()
        return block.mean(axis=1, dtype=np.float32)

    def close(self) -> None:
        """Nothing to release: the base and the take files belong to whoever opened them."""

    def __repr__(self) -> str:
        return f"EditedSource({self.base!r}, {len(self.splices)} splices)"
