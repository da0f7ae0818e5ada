"""What a steady background cannot hide: the speech path's do-no-harm bound.

The fused mask trusts the denoiser about how much of each bin is voice. On some voices the
network is wrong — a high, bright voice loses whole consonants and upper harmonics that stand
20–30 dB above a faint hiss (measured: a nearly clean voice made 13 dB worse than its input) —
and the background tracker then learns those bins as background, so the mistake feeds itself.

When the background is steady noise (hiss, fan, pink or brown noise: its spans hold steady in
every bin and show no lines), the spans say everything it can do. Then:

- the tracked background may not rise more than `steady_cap_db` above the span profile
  (`background_ceiling`): a rise beyond that is the voice, not the noise;
- a bin that stands `keep_above_db` above that background keeps at least the gain a spectral
  subtraction gives it (`keep_standing_out`): it cannot be mostly noise, whatever the network
  says.

Music, babble and drums are not steady: their spans cannot show everything they will do, and the
bound stays off (weight 0) — unless the voice stands far above the background (`level_weights`:
a nearly clean recording, judged against the quietest frames when there are no spans, or against
the spans' background, which after mains hum is cancelled may be residual lines alone; measured:
the high voice over hum, 12.7–19.8 → 19.6–27.1 dB).

Babble and other even backgrounds (`even_background`) get a keep of their own: when no piece
of the spans stands `deaf_keep_db` out of the others' profile and little of their power is in
strong lines, a bin standing that far above the profile keeps its subtraction gain, as for a
voice the estimator cannot hear (network_hearing). It costs nothing where the network hears
the voice, and gives back what it strips of one it does not (measured: babble at 5 / 10 dB
+0.2 … +1.4 dB; the high voice over babble at 10 dB 0.1 → 6.5).

Pure functions on (frames, bins) powers; `speech_separation` applies them.
"""

from __future__ import annotations

import numpy as np

from isolde.dsp.speech_mask import (
    TINY,
    VOICE_BAND_HZ,
    SpeechParams,
    band_bins,
    line_ratio,
    tonal_weights,
)


def _ramp(value: float, edges: tuple[float, float]) -> float:
    """0 at edges[0], 1 at edges[1] (either order), linear between."""
    lo, hi = edges
    return float(np.clip((value - lo) / (hi - lo), 0.0, 1.0))


def steady_weights(
    span_power: np.ndarray, steadiness: np.ndarray, params: SpeechParams
) -> np.ndarray:
    """Per bin, how far the background in the spans (`span_power`, frames × bins) is steady
    noise: each bin's own `steadiness` (`line_steadiness` of the same frames), times how
    noise-like the whole background is — most of its power in bins that hold steady, little of
    it in lines (a held chord is steady but made of lines; a drum kit or babble is not steady)."""
    profile = span_power.mean(axis=0)
    total = max(float(profile.sum()), TINY)
    steady_share = float((profile * steadiness).sum()) / total
    line_share = float((profile * tonal_weights(profile, params)).sum()) / total
    noise_like = _ramp(steady_share, params.noise_steady_share) * _ramp(
        line_share, params.noise_line_share
    )
    return steadiness * noise_like


EVEN_PIECES = 4  # the spans' frames, cut into this many pieces in time order


def even_background(span_power: np.ndarray, bin_hz: float, params: SpeechParams) -> float:
    """0–1: how far the spans (`span_power`, frames × bins, in time order) show a background
    that never stands far out of its profile — babble, a crowd, rain — so that a bin standing
    deaf_keep_db above the profile is the target's, whatever the denoiser says. The frames are
    cut into pieces, each held against the profile of the others (a drum hit, or the next note,
    stands out of them); and little of the power may be in lines (a chord can hold through
    every span and change where the voice is)."""
    count = min(EVEN_PIECES, len(span_power) // 2)
    if count < 2:
        return 0.0
    lo, hi = params.deaf_keep_db
    in_band = span_power[:, band_bins(bin_hz, VOICE_BAND_HZ, span_power.shape[1])]
    sums = in_band.sum(axis=0)
    outlying = 0.0
    for piece in np.array_split(in_band, count):
        others = (sums - piece.sum(axis=0)) / (len(in_band) - len(piece))  # their profile
        ratio_db = 10 * np.log10(np.maximum(piece, TINY) / np.maximum(others, TINY))
        outlying += float((piece * np.clip((ratio_db - lo) / (hi - lo), 0.0, 1.0)).sum())
    outlier_share = outlying / max(float(sums.sum()), TINY)
    profile = span_power.mean(axis=0)
    in_lines = line_ratio(profile, params) >= params.tonal_peak  # strong lines only, unspread
    line_share = float(profile[in_lines].sum()) / max(float(profile.sum()), TINY)
    return _ramp(line_share, params.even_line_share) * _ramp(
        outlier_share, params.even_outlier_share
    )


def level_weights(
    level: float, profile: np.ndarray, bin_hz: float, params: SpeechParams
) -> np.ndarray:
    """The bound for a nearly clean recording: the target's stretches (`level`, power per
    frame) far above the background's `profile` (the spans', else the quietest frames').
    Sub-sonic rumble (below rumble_hz), which a recording keeps as its own, does not count."""
    low = int(params.rumble_hz / bin_hz)
    snr_db = 10 * np.log10(max(level, TINY) / max(float(profile[low:].sum()), TINY))
    return np.full(len(profile), _ramp(snr_db, params.nearly_clean_db))


def background_ceiling(
    profile: np.ndarray, weights: np.ndarray, params: SpeechParams
) -> np.ndarray | None:
    """How high the tracked background may rise, per bin: steady_cap_db over the span profile
    where the background is steady noise (weight 1), loosening as the weight falls (60 dB at
    0.1); None where nothing is steady (music, babble: the tracker follows freely)."""
    if not weights.any():
        return None
    limit_db = np.minimum(params.steady_cap_db / np.maximum(weights, 0.01), 300.0)
    return profile * 10 ** (limit_db / 10)


def keep_standing_out(
    gains: np.ndarray,
    power: np.ndarray,
    background: np.ndarray,
    weights: np.ndarray,
    params: SpeechParams,
    above_db: tuple[float, float] | None = None,
) -> np.ndarray:
    """`gains` (real or complex), raised in size to the spectral-subtraction gain
    √(1 − B/P) where the mixture stands `above_db` (default keep_above_db) over a steady
    background, in proportion to `weights` (per bin); phase kept. `background` may be one
    profile for every frame. Changes `gains` in place and returns it.

    Only bins above the lower edge are worked on (a few in ten in speech): the whole array
    cost about 90 s on a 3-hour file."""
    if not weights.any():
        return gains
    lo, hi = above_db or params.keep_above_db
    above = (power > 10 ** (lo / 10) * background) & (weights > 0)
    if not above.any():
        return gains
    p = power[above]
    b = np.maximum(np.broadcast_to(background, power.shape)[above], TINY)
    stands_out = np.clip((10 * np.log10(p / b) - lo) / (hi - lo), 0.0, 1.0)
    stands_out *= np.broadcast_to(weights, power.shape)[above]
    g = gains[above]
    size = np.abs(g)
    wanted = np.maximum(size, stands_out * np.sqrt(1.0 - b / p))
    gains[above] = g * (wanted / np.maximum(size, TINY))
    return gains
