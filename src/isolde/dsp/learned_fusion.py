"""A small learned stage after the speech path's hand-made fusion: per bin, the gain's size.

The fusion (speech_mask.py) weighs the denoiser's speech against the span background by rules.
Where the two disagree — a chord's partial under a vowel, a drum hit on a consonant — a rule
cannot see what the neighbouring bins and the whole frame say. A small perceptron reads,
for each bin below FMAX_HZ, the mixture's level over the span profile and over the tracked
background, the fused gain and the denoiser's gain, in that bin and its neighbours, plus each
frame's totals; it returns the gain's size (0–1), and the fused gain keeps its phase (which the
network's complex gain may have turned). Bins above FMAX_HZ keep the fused gain.

Only frequency context, no time context: a frame's gains depend on that frame alone, so a
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
BLOCK_FRAMES = 64  # frames per pass through the perceptron (64 × 1600 bins × 24 × 4 B: 10 MB)
TINY = 1e-20


def planes(
    power: np.ndarray,
    speech: np.ndarray,
    gains: np.ndarray,
    background: np.ndarray,
    profile: np.ndarray,
    bin_hz: float,
) -> np.ndarray:
    """(features, frames, bins below FMAX_HZ) float32 from the mixture's power, the denoiser's
    speech power, the fused gains (complex or real), the tracked background (frames, bins) and
    the span profile (bins). Feature-major, so each is filled and read in one contiguous pass."""
    frames = power.shape[0]
    top = min(power.shape[1], int(FMAX_HZ / bin_hz))
    power, speech, background = power[:, :top], speech[:, :top], background[:, :top]
    reads = (
        np.clip(np.log10((power + TINY) / (profile[:top] + TINY)), *LEVEL_RANGE),
        np.clip(np.log10((power + TINY) / (background + TINY)), *LEVEL_RANGE),
        np.minimum(np.abs(gains[:, :top]), GAIN_MAX),
        np.minimum(np.sqrt(speech / (power + TINY)), GAIN_MAX),
    )
    out = np.empty((len(reads) * len(NEIGHBOURS) + 4, frames, top), dtype=np.float32)
    c = 0
    for a in reads:
        for k in NEIGHBOURS:  # bin f reads a[f - k]; the edge bins repeat past the ends
            if k > 0:
                out[c, :, k:], out[c, :, :k] = a[:, :-k], a[:, :1]
            elif k < 0:
                out[c, :, :k], out[c, :, k:] = a[:, -k:], a[:, -1:]
            else:
                out[c] = a
            c += 1
    lo, hi = (min(round(f / bin_hz), top) for f in VOICE_BAND_HZ)
    total = power[:, lo:hi].sum(axis=1) + TINY
    out[c] = ((np.abs(gains[:, lo:hi]) ** 2 * power[:, lo:hi]).sum(axis=1) / total)[:, None]
    out[c + 1] = (speech[:, lo:hi].sum(axis=1) / total)[:, None]
    out[c + 2] = np.clip(np.log10(total / (profile[lo:hi].sum() + TINY)), *LEVEL_RANGE)[:, None]
    out[c + 3] = np.log10(np.arange(top) * bin_hz + bin_hz)[None, :]
    return out


@cache
def _weights() -> dict[str, np.ndarray] | None:
    if not WEIGHTS.exists():
        return None
    with np.load(WEIGHTS) as z:
        return {k: z[k] for k in z.files}


@cache
def _layers() -> list[tuple[np.ndarray, np.ndarray]]:
    """(weights transposed, bias as a column) per layer, float32, the input scaling folded into
    the first: the perceptron then runs as matrix products on feature-major planes."""
    w = _weights()
    if w is None:
        raise RuntimeError(f"{WEIGHTS.name} is missing from the installation")
    count = len([k for k in w if k.startswith("w")])
    first = w["w0"] / w["scale"][:, None]
    layers = [(first.T, (w["b0"] - (w["mean"] / w["scale"]) @ w["w0"])[:, None])]
    layers += [(w[f"w{i}"].T, w[f"b{i}"][:, None]) for i in range(1, count)]
    return [(a.astype(np.float32), b.astype(np.float32)) for a, b in layers]


def available() -> bool:
    return _weights() is not None


def plane_sizes(feature_planes: np.ndarray) -> np.ndarray:
    """The perceptron on (features, …) planes: the gain's size per bin, 0–1, shaped (…)."""
    layers = _layers()
    x = feature_planes.reshape(feature_planes.shape[0], -1)
    for i, (weights, bias) in enumerate(layers):
        x = weights @ x
        x += bias
        if i < len(layers) - 1:
            np.maximum(x, 0.0, out=x)
    return np.clip(x[0], 0.0, 1.0).reshape(feature_planes.shape[1:])


def refined_gains(
    gains: np.ndarray,
    power: np.ndarray,
    speech: np.ndarray,
    background: np.ndarray,
    profile: np.ndarray,
    bin_hz: float,
    floor: float,
) -> np.ndarray:
    """The fused `gains` (frames, bins) with their size below FMAX_HZ set by the perceptron, no
    lower than `floor` (the reduction the user asked for; the phase of a complex gain is kept).
    `power` is that of the mixture's spectrum the gains apply to (the channels' mean)."""
    out = np.array(gains, dtype=np.result_type(gains.dtype, np.complex64), copy=True)
    for a in range(0, len(out), BLOCK_FRAMES):  # blocks keep the planes small and in cache
        b = a + BLOCK_FRAMES
        found = plane_sizes(
            planes(power[a:b], speech[a:b], gains[a:b], background[a:b], profile, bin_hz)
        )
        top = found.shape[1]
        size = np.abs(out[a:b, :top])
        phase = np.where(size > TINY, out[a:b, :top] / np.maximum(size, TINY), 1.0)
        out[a:b, :top] = np.maximum(found, floor) * phase
    return out
