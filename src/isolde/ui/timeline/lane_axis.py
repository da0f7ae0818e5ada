"""The timeline's left axis: a dBFS scale on each waveform lane and Hz/kHz on the spectrogram.

The lanes share one plot, so one AxisItem carries every lane's scale. Which ticks are labelled is
decided from the pixel height, most important first (a lane's full scale and its silence, round
frequencies), so labels never overlap however many lanes are stacked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QFont

AXIS_WIDTH = 34  # px: "−12" and "20k" at the tick font, no more
MIN_GAP_PX = 13.0  # between two labelled ticks: about one line of the tick font
DB_LEVELS = (-6.0, -12.0, -18.0, -24.0, -36.0)
MINUS = "\u2212"


@dataclass(frozen=True)
class LevelLane:
    """A waveform lane drawn ±1 (full scale) around `centre`."""

    centre: float


@dataclass(frozen=True)
class FrequencyBand:
    """A spectrogram image from y0 (f_low) to y1 (f_high), linear or logarithmic in frequency."""

    y0: float
    y1: float
    f_low: float
    f_high: float
    log: bool

    def y_of(self, f: float) -> float:
        if self.log:
            span = math.log(self.f_high / self.f_low)
            return self.y0 + (self.y1 - self.y0) * math.log(f / self.f_low) / span
        return self.y0 + (self.y1 - self.y0) * (f - self.f_low) / (self.f_high - self.f_low)


Section = LevelLane | FrequencyBand
Tick = tuple[float, str]


def level_label(db: float) -> str:
    if db == -math.inf:
        return f"{MINUS}∞"
    return "0" if db == 0 else f"{MINUS}{abs(db):g}"


def frequency_label(f: float) -> str:
    return f"{f / 1000:g}k" if f >= 1000 else f"{f:g}"


def _level_candidates(lane: LevelLane) -> list[tuple[int, float, str]]:
    """(priority, y, label): full scale and silence first, then −6, −12… top before bottom."""
    c = lane.centre
    out = [(0, c + 1.0, level_label(0.0)), (0, c, level_label(-math.inf))]
    out.append((2, c - 1.0, level_label(0.0)))  # the bottom edge: first to go when lanes crowd
    for rank, db in enumerate(DB_LEVELS):
        a = 10 ** (db / 20)
        out += [(1 + 2 * rank, c + a, level_label(db)), (2 + 2 * rank, c - a, level_label(db))]
    return out


def _nice_step(minimum: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at least `minimum`."""
    exp = 10 ** math.floor(math.log10(minimum))
    return next(m * exp for m in (1, 2, 5, 10) if m * exp >= minimum)


def _frequency_candidates(band: FrequencyBand, px_per_unit: float) -> list[tuple[int, float, str]]:
    if band.f_high <= band.f_low or band.y1 <= band.y0:
        return []
    if band.log:
        out = []
        decade = 10 ** math.floor(math.log10(band.f_low))
        while decade <= band.f_high:
            for rank, m in enumerate((1, 2, 5)):  # decades first, then 2×, then 5×
                f = m * decade
                if band.f_low <= f <= band.f_high:
                    out.append((rank, band.y_of(f), frequency_label(f)))
            decade *= 10
        return out
    # Linear: an even step wide enough for a label, all ticks equally important.
    hz_per_px = (band.f_high - band.f_low) / ((band.y1 - band.y0) * px_per_unit)
    step = _nice_step(hz_per_px * MIN_GAP_PX * 3)  # sparse: a scale, not a ruler
    first = math.ceil(band.f_low / step) * step
    count = int((band.f_high - first) // step) + 1
    return [
        (0, band.y_of(first + i * step), frequency_label(first + i * step)) for i in range(count)
    ]


def lane_ticks(sections: list[Section], px_per_unit: float, lo: float, hi: float) -> list[Tick]:
    """Labelled ticks in [lo, hi] for these sections, at least MIN_GAP_PX apart, sorted by y."""
    candidates: list[tuple[int, float, str]] = []
    for section in sections:
        if isinstance(section, LevelLane):
            candidates += _level_candidates(section)
        else:
            candidates += _frequency_candidates(section, px_per_unit)
    gap = MIN_GAP_PX / max(px_per_unit, 1e-9)
    kept: list[Tick] = []
    for _priority, y, label in sorted(candidates, key=lambda c: c[0]):  # stable: order kept
        if lo <= y <= hi and all(abs(y - k) >= gap for k, _ in kept):
            kept.append((y, label))
    return sorted(kept)


class LaneAxis(pg.AxisItem):
    def __init__(self) -> None:
        super().__init__(orientation="left")
        self.sections: list[Section] = []
        self._labels: dict[float, str] = {}
        font = QFont()
        font.setPointSizeF(max(6.5, font.pointSizeF() * 0.8))
        self.setStyle(tickFont=font, tickTextOffset=3, tickLength=-4, autoExpandTextSpace=False)
        self.setWidth(AXIS_WIDTH)
        self.setToolTip("Level in dBFS on each waveform lane; frequency in Hz on the spectrogram")

    def set_sections(self, sections: list[Section]) -> None:
        self.sections = list(sections)
        self.picture = None  # pyqtgraph's cached drawing: redraw with the new ticks
        self.update()

    def ticks(self) -> list[Tick]:
        """The labelled ticks as drawn now (for tests and the accessible description)."""
        lo, hi = self.range
        return lane_ticks(self.sections, self._px_per_unit(lo, hi), min(lo, hi), max(lo, hi))

    def _px_per_unit(self, lo: float, hi: float) -> float:
        return self.geometry().height() / max(abs(hi - lo), 1e-9)

    def tickValues(self, minVal, maxVal, size):  # type: ignore[no-untyped-def]
        lo, hi = min(minVal, maxVal), max(minVal, maxVal)
        ticks = lane_ticks(self.sections, size / max(hi - lo, 1e-9), lo, hi)
        self._labels = dict(ticks)
        return [(1.0, [y for y, _ in ticks])]

    def tickStrings(self, values, scale, spacing):  # type: ignore[no-untyped-def]
        return [self._labels.get(v, "") for v in values]
