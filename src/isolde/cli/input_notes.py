"""Notes on stderr about inputs that are readable but not quite right (NaN samples, …)."""

from __future__ import annotations

import os
import sys

from isolde.audio import open_audio
from isolde.audio.nonfinite import scan


def note_nonfinite(*paths: str | os.PathLike[str] | None) -> int:
    """Say on stderr which inputs hold NaN or infinite samples (read as 0); how many do."""
    noted = 0
    for path in paths:
        if not path:
            continue
        with open_audio(path) as source:
            found = scan(source)
            rate = source.sample_rate
        if found is not None:
            sys.stderr.write(f"isolde: note: {found.describe(path, rate)}\n")
            sys.stderr.flush()
            noted += 1
    return noted
