"""A small learned stage after the speech path's hand-made fusion: per bin, how much of the
fused gain to keep.

The fusion (speech_mask.py) weighs the denoiser's speech against the span background by rules.
Where the two disagree — a chord's partial under a vowel, a drum hit on a consonant — a rule
cannot see what the neighbouring bins and the whole frame say. A two-layer perceptron reads,
for each bin below FMAX_HZ, the mixture's level over the span profile and over the tracked
background, the fused gain and the denoiser's gain, in that bin and its neighbours, plus each
frame's totals; it returns the gain's size (0–1), and the fused gain keeps its phase (which the
network's complex gain may have turned). Bins above FMAX_HZ keep the fused gain.

Only frequency context, no time context: a frame's factor depends on that frame alone, so a
chunked run equals a whole-file run exactly. The weights (fusion_weights.npz, a few kB) were
trained by tests/bench/train_fusion.py on espeak-ng voices and backgrounds the benchmark never
plays (other voices, other seeds, other babble talkers).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

WEIGHTS = Path(__file__).with_name("fusion_weights.npz")
FMAX_HZ = 12_500.0  # above this the fused gain stands (little speech, and what there is is air)
VOICE_BAND_HZ = (100.0, 8000.0)  # where the frame totals are taken
NEIGHBOURS = (0, -1, 1, -3, 3)  # bins either side read with each bin
LEVEL_RANGE = (-3.0, 6.0)  # log10 power ratios are clipped to this
GAIN_MAX = 1.5
TINY = 1e-20


def _shifted(a: np.ndarray, offset: int) -> np.ndarray:
    """`a` (frames, bins) moved `offset` bins up (edge bins repeated)."""
    if offset == 0:
        return a
    idx = np.clip(np.arange(a.shape[1]) - offset, 0, a.shape[1] - 1)
    return a[:, idx]


def features(
    power: np.ndarray,
    speech: np.ndarray,
    gains: np.ndarray,
    background: np.ndarray,
    profile: np.ndarray,
    bin_hz: float,
) -> np.ndarray:
    """(frames, bins below FMAX_HZ, features) float32 from the mixture's power, the denoiser's
    speech power, the fused gains (complex or real), the tracked background (frames, bins) and
    the span profile (bins)."""
    top = min(power.shape[1], int(FMAX_HZ / bin_hz))
    power, speech, background = power[:, :top], speech[:, :top], background[:, :top]
    over_profile = np.clip(np.log10((power + TINY) / (profile[:top] + TINY)), *LEVEL_RANGE)
    over_background = np.clip(np.log10((power + TINY) / (background + TINY)), *LEVEL_RANGE)
    fused = np.minimum(np.abs(gains[:, :top]), GAIN_MAX)
    heard = np.minimum(np.sqrt(speech / (power + TINY)), GAIN_MAX)
    cols = [
        _shifted(a, k) for a in (over_profile, over_background, fused, heard) for k in NEIGHBOURS
    ]
    lo, hi = (min(round(f / bin_hz), top) for f in VOICE_BAND_HZ)
    total = power[:, lo:hi].sum(axis=1) + TINY
    fused_share = (np.abs(gains[:, lo:hi]) ** 2 * power[:, lo:hi]).sum(axis=1) / total
    heard_share = speech[:, lo:hi].sum(axis=1) / total
    level = np.clip(np.log10(total / (profile[lo:hi].sum() + TINY)), *LEVEL_RANGE)
    for frame_value in (fused_share, heard_share, level):
        cols.append(np.broadcast_to(frame_value[:, None], power.shape))
    cols.append(np.broadcast_to(np.log10(np.arange(top) * bin_hz + bin_hz), power.shape))
    return np.stack(cols, axis=-1).astype(np.float32)


@cache
def _weights() -> dict[str, np.ndarray] | None:
    if not WEIGHTS.exists():
        return None
    with np.load(WEIGHTS) as z:
        return {k: z[k] for k in z.files}


def available() -> bool:
    return _weights() is not None


def sizes(feats: np.ndarray) -> np.ndarray:
    """The perceptron on (…, features): the gain's size per bin, 0–1."""
    w = _weights()
    if w is None:
        raise RuntimeError(f"{WEIGHTS.name} is missing from the installation")
    x = (feats - w["mean"]) / w["scale"]
    for i in range(len([k for k in w if k.startswith("w")])):
        x = x @ w[f"w{i}"] + w[f"b{i}"]
        if f"w{i + 1}" in w:
            np.maximum(x, 0.0, out=x)
    return np.clip(x[..., 0], 0.0, 1.0)


def refined_gains(
    gains: np.ndarray,
    mono: np.ndarray,
    speech: np.ndarray,
    background: np.ndarray,
    profile: np.ndarray,
    bin_hz: float,
    floor: float,
) -> np.ndarray:
    """The fused `gains` (frames, bins) with their size below FMAX_HZ set by the perceptron, no
    lower than `floor` (the reduction the user asked for; the phase of a complex gain is kept).
    `mono` is the mixture's spectrum the gains apply to."""
    feats = features(mono.real**2 + mono.imag**2, speech, gains, background, profile, bin_hz)
    top = feats.shape[1]
    out = np.array(gains, dtype=np.result_type(gains.dtype, np.complex64), copy=True)
    size = np.abs(out[:, :top])
    phase = np.where(size > TINY, out[:, :top] / np.maximum(size, TINY), 1.0)
    out[:, :top] = np.maximum(sizes(feats), floor) * phase
    return out
