"""Short-gap fill by autoregressive extrapolation (Burg's method), from both sides of the gap.

A gap of a few tens of milliseconds inside a steady sound is well predicted by a linear model of
the samples just before it (run forwards) and just after it (run backwards in time); a raised
cosine crossfade across the gap hands over from one prediction to the other.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter, lfiltic


def burg(x: np.ndarray, order: int) -> np.ndarray:
    """Prediction polynomial [1, a1, …, ap] of `x` by Burg's method (always a stable filter)."""
    a = np.ones(1)
    forward = x[1:].astype(np.float64)
    backward = x[:-1].astype(np.float64)
    for _ in range(min(order, len(x) - 1)):
        den = forward @ forward + backward @ backward
        if den <= 1e-30:
            break
        k = -2.0 * (forward @ backward) / den
        padded = np.concatenate([a, [0.0]])
        a = padded + k * padded[::-1]
        forward, backward = forward + k * backward, backward + k * forward
        forward, backward = forward[1:], backward[:-1]
    return a


def extrapolate(history: np.ndarray, count: int, order: int) -> np.ndarray:
    """Continue a 1-D signal `count` samples past its end with an AR model fitted to it."""
    if len(history) < 2 or count <= 0:
        return np.zeros(count)
    a = burg(history, order)
    p = len(a) - 1
    if p == 0:
        return np.zeros(count)
    # The all-pole filter 1/A(z) run on silence, started from the last p samples, is the
    # model's own prediction of what comes next.
    zi = lfiltic([1.0], a, history[::-1][:p])
    out, _ = lfilter([1.0], a, np.zeros(count), zi=zi)
    return out


def fill_gap(before: np.ndarray, after: np.ndarray, count: int, order: int) -> np.ndarray:
    """Fill `count` samples between `before` and `after` (either may be empty), per channel.

    `before`/`after` are (n, ch) context blocks; returns (count, ch).
    """
    channels = before.shape[1] if before.size else after.shape[1]
    out = np.zeros((count, channels))
    t = (np.arange(count) + 0.5) / max(count, 1)
    fade_out = 0.5 + 0.5 * np.cos(np.pi * t)  # weight of the forward prediction
    for c in range(channels):
        fwd = extrapolate(before[:, c], count, order) if len(before) >= 2 else None
        bwd = extrapolate(after[::-1, c], count, order)[::-1] if len(after) >= 2 else None
        if fwd is not None and bwd is not None:
            out[:, c] = fade_out * fwd + (1.0 - fade_out) * bwd
        elif fwd is not None:
            out[:, c] = fwd
        elif bwd is not None:
            out[:, c] = bwd
    return out
