"""Short-gap fill by autoregressive extrapolation (Burg's method), from both sides of the gap.

A gap of a few tens of milliseconds inside a steady sound is well predicted by a linear model of
the samples just before it (run forwards) and just after it (run backwards in time); a raised
cosine crossfade across the gap hands over from one prediction to the other.

A prediction alone is the expected continuation: for a tone that is the tone, but for noise
(room tone, hiss, a busy background) it fades to silence within milliseconds and the repair
sounds like a dropout. So each side also runs its model on white noise of the model's own
prediction-error power, from rest: that adds exactly the variance the prediction lacks at each
step, so the fill keeps the context's level and colour. These random parts are independent, so
they are joined with equal-power weights; the noise is seeded, so a repair is repeatable.
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
    return _continuations(history, count, order, None)[0]


def _continuations(
    history: np.ndarray, count: int, order: int, rng: np.random.Generator | None
) -> tuple[np.ndarray, np.ndarray]:
    """(prediction, random part) of `count` samples after `history`; the random part is zero
    without `rng`."""
    zero = np.zeros(count)
    if len(history) < 2 or count <= 0:
        return zero, zero
    a = burg(history, order)
    p = len(a) - 1
    if p == 0:
        return zero, zero
    # The all-pole filter 1/A(z) run on silence, started from the last p samples, is the
    # model's own prediction of what comes next.
    zi = lfiltic([1.0], a, history[::-1][:p])
    prediction, _ = lfilter([1.0], a, zero, zi=zi)
    if rng is None:
        return prediction, zero
    residual = lfilter(a, [1.0], history)[p:]
    sigma = float(np.sqrt(np.mean(residual**2))) if len(residual) else 0.0
    return prediction, lfilter([1.0], a, sigma * rng.standard_normal(count))


def fill_gap(
    before: np.ndarray, after: np.ndarray, count: int, order: int, seed: int | None = 0
) -> np.ndarray:
    """Fill `count` samples between `before` and `after` (either may be empty), per channel.

    `before`/`after` are (n, ch) context blocks; returns (count, ch). With `seed` None the fill
    is the predictions alone (the expected value, which fades on noise).
    """
    channels = before.shape[1] if before.size else after.shape[1]
    out = np.zeros((count, channels))
    t = (np.arange(count) + 0.5) / max(count, 1)
    fade_out = 0.5 + 0.5 * np.cos(np.pi * t)  # weight of the forward prediction
    rng = None if seed is None else np.random.default_rng(seed)
    for c in range(channels):
        fwd = bwd = None
        if len(before) >= 2:
            fwd = _continuations(before[:, c], count, order, rng)
        if len(after) >= 2:
            pred, noise = _continuations(after[::-1, c], count, order, rng)
            bwd = (pred[::-1], noise[::-1])
        if fwd is not None and bwd is not None:
            out[:, c] = fade_out * fwd[0] + (1.0 - fade_out) * bwd[0]
            out[:, c] += np.sqrt(fade_out) * fwd[1] + np.sqrt(1.0 - fade_out) * bwd[1]
        else:
            side = fwd if fwd is not None else bwd
            if side is not None:
                out[:, c] = side[0] + side[1]
    return out
