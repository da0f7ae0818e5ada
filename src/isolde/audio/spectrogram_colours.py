"""The spectrogram's colour map: a 256-entry RGBA table, dark and quiet to bright and loud.

It runs black → violet → crimson → orange → pale yellow, close in spirit to the perceptual
"magma" family: brightness rises steadily, so loudness reads as lightness without a legend,
and it stays legible in grey scale and for common colour-vision deficiencies. Silence is a dark
panel on a light theme and blends quietly into a dark one, while sound stands out on both.
"""

from __future__ import annotations

import numpy as np

# (position, red, green, blue): hand-placed anchors, interpolated linearly in between.
_ANCHORS = (
    (0.00, 0, 0, 4),
    (0.15, 30, 17, 70),
    (0.30, 90, 22, 126),
    (0.45, 150, 44, 129),
    (0.60, 211, 67, 110),
    (0.75, 249, 118, 92),
    (0.88, 254, 180, 123),
    (1.00, 252, 253, 191),
)


def spectrogram_colours(size: int = 256) -> np.ndarray:
    """uint8 (size, 4) RGBA table, opaque; entry 0 is the dB floor, the last the ceiling."""
    anchors = np.array(_ANCHORS, dtype=np.float64)
    at = np.linspace(0.0, 1.0, size)
    table = np.empty((size, 4), np.uint8)
    for channel in range(3):
        table[:, channel] = np.rint(np.interp(at, anchors[:, 0], anchors[:, channel + 1]))
    table[:, 3] = 255
    return table
