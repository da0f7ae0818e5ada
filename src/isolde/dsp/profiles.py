"""Long-term power spectra gathered in constant memory: the background and the target profile.

`MeanPower` averages frames the user marked (exclude spans for the background, include spans
for the target). `QuietestFrames` estimates the background when nothing was marked: per bin, the
mean power of the quietest fraction of frames, found from a dB histogram so that memory does not
grow with the file.

Frames are ranked per bin by the power of the bins around it, not by the bin itself: ranking by
the same value that is then averaged would keep only the low tail of the noise's own random
fluctuation and underestimate a steady background about twelvefold.
"""

from __future__ import annotations

import numpy as np

HIST_LOW_DB = -200.0
HIST_HIGH_DB = 100.0
HIST_STEP_DB = 0.5
SILENT_FRAME_POWER = 1e-14  # mean bin power below this is digital silence, not room tone
NEIGHBOURS = 8  # bins each side used to rank a bin's frames
GUARD = 1  # the Hann window leaks a bin into its neighbours: skip those when ranking


def neighbour_power(power: np.ndarray) -> np.ndarray:
    """Per frame and bin, mean power of bins k±NEIGHBOURS leaving out k±GUARD."""
    bins = power.shape[1]
    cum = np.zeros((power.shape[0], bins + 1))
    np.cumsum(power, axis=1, out=cum[:, 1:])
    k = np.arange(bins)

    def window_sum(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = np.clip(lo, 0, bins), np.clip(hi, 0, bins)
        return cum[:, hi] - cum[:, lo], hi - lo

    outer, n_outer = window_sum(k - NEIGHBOURS, k + NEIGHBOURS + 1)
    inner, n_inner = window_sum(k - GUARD, k + GUARD + 1)
    return (outer - inner) / np.maximum(n_outer - n_inner, 1)


class MeanPower:
    def __init__(self, bins: int) -> None:
        self.total = np.zeros(bins)
        self.count = 0

    def add(self, power: np.ndarray) -> None:
        self.total += power.sum(axis=0)
        self.count += power.shape[0]

    def result(self) -> np.ndarray | None:
        return self.total / self.count if self.count else None


class QuietestFrames:
    """Per-bin mean power of the quietest `fraction` of frames, from a streaming histogram."""

    def __init__(self, bins: int, fraction: float = 0.15) -> None:
        self.bins = bins
        self.fraction = fraction
        self.levels = round((HIST_HIGH_DB - HIST_LOW_DB) / HIST_STEP_DB) + 1
        self.counts = np.zeros((bins, self.levels), dtype=np.int64)
        self.sums = np.zeros((bins, self.levels))
        self.frames = 0
        self.silent_frames = 0

    def add(self, power: np.ndarray) -> None:
        silent = power.mean(axis=1) < SILENT_FRAME_POWER
        self.silent_frames += int(silent.sum())
        power = power[~silent]
        if not power.shape[0]:
            return
        db = 10.0 * np.log10(np.maximum(neighbour_power(power), 1e-30))
        level = np.clip(((db - HIST_LOW_DB) / HIST_STEP_DB).astype(np.int64), 0, self.levels - 1)
        index = (level + np.arange(self.bins) * self.levels).ravel()
        size = self.bins * self.levels
        self.counts += np.bincount(index, minlength=size).reshape(self.bins, self.levels)
        self.sums += np.bincount(index, power.ravel(), minlength=size).reshape(
            self.bins, self.levels
        )
        self.frames += power.shape[0]

    def result(self) -> np.ndarray | None:
        if not self.frames:
            return None
        want = max(self.fraction * self.frames, 1.0)
        cum = np.cumsum(self.counts, axis=1)
        # The histogram cell where the quietest `want` frames run out, per bin; that cell
        # contributes only the share of its frames still needed.
        edge = np.argmax(cum >= want, axis=1)
        rows = np.arange(self.bins)
        below = cum[rows, edge] - self.counts[rows, edge]
        cum_sums = np.cumsum(self.sums, axis=1)
        sum_below = cum_sums[rows, edge] - self.sums[rows, edge]
        cell_mean = self.sums[rows, edge] / np.maximum(self.counts[rows, edge], 1)
        return (sum_below + (want - below) * cell_mean) / want
