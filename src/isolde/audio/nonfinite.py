"""NaN and infinite samples in a float file: counted, so that a command can say so.

A float WAV (or a decoded float file) can hold NaN or ±inf — a crashed plug-in, a bad render.
`AudioSource.read` turns them into 0, so that no result is all NaN; `scan` finds how many there
were and where the first one is, reading the file's own storage in blocks (constant memory).
Integer and compressed files cannot hold them; scanning those costs nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from isolde.audio.source import AudioSource

BLOCK = 1 << 18


@dataclass(frozen=True)
class NonFinite:
    samples: int  # NaN or ±inf values (over all channels)
    first_frame: int  # the first frame holding one

    def describe(self, path: str | os.PathLike[str], sample_rate: int) -> str:
        from isolde.core.timecode import format_time

        return (
            f"{path}: {self.samples} sample{'s' if self.samples != 1 else ''} are not numbers "
            f"(NaN or infinite; the first at {format_time(self.first_frame / sample_rate)}) — "
            "they are read as silence; the file may come from a faulty render"
        )


def scan(source: AudioSource) -> NonFinite | None:
    """Where `source`'s storage holds NaN or ±inf, or None when it holds none."""
    storage = source.samples
    if storage is None or storage.dtype.kind != "f":
        return None
    count, first = 0, -1
    for start in range(0, source.frames, BLOCK):
        bad = ~np.isfinite(storage[start : start + BLOCK])
        n = int(bad.sum())
        if n and first < 0:
            first = start + int(np.argmax(bad.any(axis=1)))
        count += n
    return NonFinite(count, first) if count else None
