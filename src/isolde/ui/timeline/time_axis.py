"""The time ruler: h:mm:ss.mmm, with as many decimals as the zoom needs."""

from __future__ import annotations

import pyqtgraph as pg

from isolde.core.timecode import format_time


class TimeAxis(pg.AxisItem):
    def __init__(self) -> None:
        super().__init__(orientation="bottom")
        self.setStyle(autoExpandTextSpace=True)

    def tickStrings(self, values, scale, spacing):  # type: ignore[no-untyped-def]
        if spacing >= 1:
            return [format_time(max(0.0, v), millis=False) for v in values]
        if spacing >= 0.001:
            return [format_time(max(0.0, v)) for v in values]
        # Sample-level zoom: microseconds, so neighbouring ticks differ.
        return [f"{format_time(max(0.0, v))}{round(v * 1e6) % 1000:03d}" for v in values]
