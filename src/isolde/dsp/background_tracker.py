"""The background around each frame, for backgrounds that change (music beds, a room that fills).

The exclude spans give one long-term background spectrum; a chord change or a passing car makes
it wrong for the frames in between. Here each frame's background is re-measured in a window
centred on it: per bin, the mean power of the frames in the window, each counted by how surely
it holds no target in that bin (its weight), plus the long-term estimate counted as
`prior_frames` frames, so that a bin where the target sounds throughout the window falls back to
it. Offline processing can look ahead: the window reaches `half` frames into the future, so a
frame's background is final only once those frames have been pushed.
"""

from __future__ import annotations

import numpy as np


class BackgroundTracker:
    def __init__(self, prior: np.ndarray, half: int, prior_frames: float, total: int) -> None:
        self.prior = prior
        self.half = half
        self.prior_frames = prior_frames
        self.total = total  # frames in the whole file: the window stops at both ends
        self._base = 0  # frame index of the first row held
        self._weighted = np.zeros((0, len(prior)))
        self._weights = np.zeros((0, len(prior)))

    @property
    def pushed(self) -> int:
        return self._base + len(self._weights)

    def push(self, weighted_power: np.ndarray, weights: np.ndarray) -> None:
        """Append the next frames: weight × power and weight, each (frames, bins)."""
        self._weighted = np.concatenate([self._weighted, weighted_power])
        self._weights = np.concatenate([self._weights, weights])

    def ready(self) -> int:
        """Frames [0, ready) have their whole window pushed."""
        return self.total if self.pushed >= self.total else max(self.pushed - self.half, 0)

    def take(self, m0: int, m1: int) -> np.ndarray:
        """Background power for frames [m0, m1), (frames, bins); later calls start at m1."""
        if m1 > self.ready() or max(m0 - self.half, 0) < self._base:
            raise ValueError(f"frames {m0}–{m1} are not ready (held from {self._base})")
        if m1 <= m0:
            return np.zeros((0, len(self.prior)))
        m = np.arange(m0, m1)
        lo = np.maximum(m - self.half, 0) - self._base
        hi = np.minimum(m + self.half + 1, self.total) - self._base
        # Window sums as differences of running sums over the rows held: the rows held are
        # a bounded stretch, so the rounding does not grow with the file.
        zero = np.zeros((1, len(self.prior)))
        cum_p = np.concatenate([zero, np.cumsum(self._weighted, axis=0)])
        cum_w = np.concatenate([zero, np.cumsum(self._weights, axis=0)])
        num = cum_p[hi] - cum_p[lo] + self.prior_frames * self.prior
        den = cum_w[hi] - cum_w[lo] + self.prior_frames
        drop = max(m1 - self.half - self._base, 0)
        self._weighted = self._weighted[drop:]
        self._weights = self._weights[drop:]
        self._base += drop
        return num / np.maximum(den, 1e-12)
