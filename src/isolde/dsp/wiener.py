"""Spectral Wiener gains with decision-directed a-priori SNR (Ephraim–Malah style).

Pure functions on power spectra: the driver owns frames and files. The recursion runs frame by
frame, so its state (last frame's cleaned power) is carried across chunks explicitly; that is
what makes chunked and whole-file runs agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TINY = 1e-20  # keeps ratios finite on digital silence
FULL_REDUCTION_DB = 120.0  # at or beyond this, no floor: the background is removed entirely
GATE_RATIO = 0.1  # target share (-10 dB) below which the include-span profile lowers a bin


@dataclass(frozen=True)
class WienerParams:
    reduction_db: float = 30.0  # the gain floor is -reduction_db: how much background may go
    smoothing: float = 0.98  # decision-directed weight of the previous frame's estimate
    over_subtraction: float = 1.4  # noise PSD scale (~1.5 dB): trims residual musical noise

    @property
    def floor(self) -> float:
        return floor_for(self.reduction_db)


def floor_for(reduction_db: float) -> float:
    """The gain floor for a reduction amount in dB (0 for "full")."""
    if reduction_db >= FULL_REDUCTION_DB:
        return 0.0
    return float(10.0 ** (-reduction_db / 20.0))


@dataclass
class WienerState:
    """Cleaned power of the previous frame; None before the first frame."""

    previous: np.ndarray | None = None


def wiener_gains(
    power: np.ndarray, noise: np.ndarray, params: WienerParams, state: WienerState
) -> np.ndarray:
    """Gains (frames, bins) in [floor, 1] for mixture power (frames, bins) over noise PSD (bins,).

    Updates `state` so that the next call continues the recursion where this one stopped.
    """
    floor = params.floor
    alpha = params.smoothing
    noise_scaled = np.maximum(noise * params.over_subtraction, TINY)
    inv_noise = 1.0 / noise_scaled
    gains = np.empty_like(power)
    previous = state.previous
    # gamma: a-posteriori SNR; its ML a-priori estimate is max(gamma - 1, 0).
    ml = np.maximum(power * inv_noise - 1.0, 0.0)
    for m in range(power.shape[0]):
        xi = ml[m] if previous is None else alpha * previous * inv_noise + (1.0 - alpha) * ml[m]
        g = xi / (1.0 + xi)
        np.maximum(g, floor, out=g)
        gains[m] = g
        previous = g * g * power[m]
    state.previous = previous
    return gains


def target_weight(include_power: np.ndarray, noise: np.ndarray, floor: float) -> np.ndarray:
    """Static per-bin ceiling from the target's long-term spectrum (measured in include spans).

    Bins where the include spans hold the target at least GATE_RATIO of the combined power keep
    a ceiling of 1, so the frame-by-frame gain alone decides there; bins where the target is
    weaker than that are pulled down proportionally, to the floor where it never appears. This
    removes stray musical noise outside the target's band and leaves its band untouched.
    """
    target = np.maximum(include_power - noise, 0.0)
    share = target / np.maximum(target + noise, TINY)
    return np.clip(share / GATE_RATIO, floor, 1.0)
