"""The recording as edited: the source with its applied edits spliced in, read on demand. No Qt.

It reads like an `AudioSource` (`read`, `read_mono`, `frames`, `sample_rate`, `channels`,
`info`), so the player, the spectrogram and the peak overlay take it where they take the
source. Blocks are spliced with the very arithmetic export renders with (`splice_block` in
`audio.splice`), so what is heard and drawn is what File → Export writes. Nothing is
rendered ahead: a read touches the source and, where an edit covers it, the take's files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from isolde.audio.info import AudioInfo
from isolde.audio.source import AudioSource
from isolde.audio.splice import Splice, check_splices, splice_block


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Frame ranges in order, overlapping or touching ones merged."""
    merged: list[tuple[int, int]] = []
    for start, stop in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def merged_ranges(splices: Sequence[Splice]) -> list[tuple[int, int]]:
    """The frame ranges the splices cover, overlapping or touching ones merged, in order."""
    return merge_ranges((s.start, s.stop) for s in splices if s.stop > s.start)


class EditedSource:
    """`base` with `splices` applied, read like an AudioSource (float32, never a memory map)."""

    scale = 1.0
    offset = 0.0
    samples = None  # no one array holds it: peaks of it are float32 (see PeakFormat.of)

    def __init__(self, base: AudioSource, splices: Sequence[Splice]) -> None:
        check_splices(base, splices)
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
