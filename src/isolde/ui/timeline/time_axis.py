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
        # Sample-level zoom: microseconds, so neighbouring ticks differ. One integer count of
        # them for both parts: rounding the milliseconds on their own carried 0.5 ms too early.
        labels = []
        for v in values:
            us = round(max(0.0, v) * 1e6)
            labels.append(f"{format_time((us // 1000) / 1000)}{us % 1000:03d}")
        return labels
