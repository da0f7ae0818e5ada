"""One mask from two estimates: a denoiser's speech and the span-guided background.

The denoiser (DeepFilterNet3 or RNNoise) knows what speech sounds like but not what the user
marked; the background estimate knows, per fine bin, what the unwanted sound is. Fusing them:
spread the denoiser's speech power, band by band, over the bins where the mixture stands out of
the background, then form the Wiener gain S / (S + B) against the background (`speech_gains`).
With the network, the gain then moves towards the network's own complex gain wherever the
background is smooth and the mixture near it (`network_share`, `blended_gains`): its 10 ms
frames follow speech and drum hits better than 128 ms ones, which in turn resolve hum lines and
a held chord's partials that the network leaves — but only lines that hold steady
(`line_steadiness`): a struck partial comes and goes faster than the long frames follow.
Sub-sonic rumble stays (`rumble_bins`).

Pure functions on (frames, bins) spectra; the driver owns frames, files and chunking.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d, median_filter, uniform_filter1d

TINY = 1e-20
VOICE_BAND_HZ = (100.0, 8000.0)  # where a voice has its power and the estimators work
MID_BAND_HZ = (1000.0, 4000.0)  # consonants and upper formants: what makes speech intelligible


def band_bins(bin_hz: float, band_hz: tuple[float, float], bins: int) -> slice:
    """The bins of a spectrum with `bins` bins `bin_hz` apart that fall in `band_hz`."""
    lo, hi = (round(f / bin_hz) for f in band_hz)
    return slice(min(lo, bins), min(hi, bins))


@dataclass(frozen=True)
class SpeechParams:
    """Tuned on the benchmark mixtures (tests/bench/bench_local_engine.py)."""

    floor: float  # gain floor, from the reduction amount
    window_s: float = 3.0  # width of the window that re-measures the background (3 s: a drum
    # pattern's hits average out; 2 s followed chord changes no better on the benchmark)
    weight_power: float = 4.0  # a frame counts towards a bin's background by (1 - gain)^this
    prior_frames: float = 0.1  # the span estimate counts as this many frames of the window
    band_bins: int = 3  # bins over which the denoiser's power is spread (~23 Hz at any rate)
    stand_out: float = 2.0  # how far above the background a bin must be to receive speech
    rumble_hz: float = 45.0  # below this (and below 50 Hz mains) the denoisers are blind
    rumble_step_db: float = 20.0  # a background this much stronger below rumble_hz than above
    rumble_below_db: float = 10.0  # ... and this much under the target's stretches: the room's
    tonal_bins: int = 31  # a background line stands out of the median over this many bins
    tonal_peak: float = 10.0  # ... by this factor (and more) to count fully as a line
    tonal_spread: int = 3  # bins either side of a line that count as the line
    steady_db: tuple[float, float] = (3.0, 8.0)  # a line this steady (dB spread over time) is
    # a line for the long frames; one this unsteady (drum and piano partials) is left to the net
    gentle_db: tuple[float, float] = (10.0, 20.0)  # bins this far above the background: mask
    blend: bool = False  # move the fused mask towards the network's own gain (DeepFilterNet),
    # then let learned_fusion set each bin's gain (when its weights are installed)
    # The do-no-harm bound over steady noise (steady_background.py): the tracked background
    # stays within this of the span profile, and a bin this far above it keeps what spectral
    # subtraction leaves (measured: a nearly clean high voice −13.0 → +6.0 dB, no noise, music
    # or babble cell lower).
    steady_cap_db: float = 6.0
    keep_above_db: tuple[float, float] = (8.0, 14.0)
    noise_steady_share: tuple[float, float] = (0.55, 0.85)  # span power in steady bins
    noise_line_share: tuple[float, float] = (0.8, 0.5)  # span power in lines (inverse ramp)
    nearly_clean_db: tuple[float, float] = (15.0, 25.0)  # no spans: voice over quietest frames
    # A voice the estimator takes for noise (network_hearing.py): it hears this share of the
    # target or less (fully deaf) … this or more (not at all); then what stands this far above
    # the span profile keeps its spectral-subtraction gain (measured: the high voice over
    # babble at 0 / 5 dB, −0.8 / −1.2 → +5.6 / +6.4; every other voice hears 0.34 or more).
    # The same ramp on the share it hears at 1–4 kHz keeps that band against the tracked
    # background (her drums at 10 dB 2.7 → 6.3; the others hear 0.16 or more there).
    deaf_hearing: tuple[float, float] = (0.15, 0.30)
    deaf_keep_db: tuple[float, float] = (10.0, 20.0)
    # The same keep where the spans show an even background (steady_background.
    # even_background: babble, a crowd): little of its power in strong lines (tonal_peak over
    # the median), and little of any piece of the spans deaf_keep_db above the others' profile
    # (babble 0.00–0.19 and 0.03–0.06 on the benchmark; an arpeggio 0.56–0.78 / 0.04–0.13,
    # drums 0.21–0.43 / 0.18–0.28, a chord or piano 0.52–0.97 / 0.00–0.42). Measured: babble
    # at 5 / 10 dB +0.2 / +0.4 dB (own voices), +0.4 / +1.4 (other voices; the high voice at
    # 10 dB 0.1 → 6.5), at 0 dB within ±0.05; steady noise and nearly clean voices unchanged.
    even_line_share: tuple[float, float] = (0.40, 0.30)
    even_outlier_share: tuple[float, float] = (0.12, 0.08)


def background_weights(speech: np.ndarray, background: np.ndarray, power: float) -> np.ndarray:
    """How surely each bin holds no speech: (1 - S/(S+B))^power, from the denoiser and the
    prior."""
    gain = speech / (speech + background + TINY)
    return (1.0 - gain) ** power


def fused_speech_power(
    mixture: np.ndarray, speech: np.ndarray, background: np.ndarray, params: SpeechParams
) -> np.ndarray:
    """The denoiser's speech power redistributed over the bins where the mixture exceeds the
    background by `stand_out`, never above the mixture itself."""
    excess = np.maximum(mixture - params.stand_out * background, 0.0)
    band_speech = uniform_filter1d(speech, params.band_bins, axis=1)
    band_excess = uniform_filter1d(excess, params.band_bins, axis=1)
    return np.minimum(band_speech * excess / np.maximum(band_excess, TINY), mixture)


def speech_gains(
    mixture: np.ndarray, speech: np.ndarray, background: np.ndarray, params: SpeechParams
) -> np.ndarray:
    """Wiener gains in [floor, 1] for the speech in `mixture`, all (frames, bins) powers."""
    s = fused_speech_power(mixture, speech, background, params)
    return np.maximum(s / (s + background + TINY), params.floor)


def line_ratio(background: np.ndarray, params: SpeechParams) -> np.ndarray:
    """Per bin, how far the background stands above its median over `tonal_bins` bins (≥ 1):
    a line stands `tonal_peak` or more above it."""
    median = median_filter(background, size=params.tonal_bins, mode="nearest")
    return np.maximum(background / np.maximum(median, TINY), 1.0)


def tonal_weights(background: np.ndarray, params: SpeechParams) -> np.ndarray:
    """Per bin, 1 where the background is made of lines (hum, a chord's partials), 0 where it
    is smooth (noise, drums, babble): a line is what the long frames resolve and the network's
    short ones do not."""
    ratio = line_ratio(background, params)
    lines = np.clip(np.log10(ratio) / np.log10(params.tonal_peak), 0.0, 1.0)
    return maximum_filter1d(lines, 2 * params.tonal_spread + 1)


def line_steadiness(power: np.ndarray, params: SpeechParams) -> np.ndarray:
    """Per bin, 1 where the background's power holds steady over the frames `power` (frames,
    bins) samples, 0 where it comes and goes (drum hits, struck notes): a hum line or a held
    chord keeps to the mean, a struck partial spends most frames far below it.

    The spread is the log of the mean power less the mean log power (dB): 0 for a steady line,
    about 2.5 dB for noise, tens of dB for hits. Only steady lines are worth the long frames'
    resolution; over a struck partial the network's short frames follow the onsets better
    (measured: +1.5 dB on drums, +0.7 on piano-like notes, no change on hum or a pad)."""
    mean = power.mean(axis=0)
    # Digital silence between hits would make the log mean unbounded: 30 dB under the mean
    # is as quiet as a frame counts.
    floor = np.maximum(mean * 1e-3, TINY)
    spread = 10 * np.log10(np.maximum(mean, TINY)) - np.mean(
        10 * np.log10(np.maximum(power, floor)), axis=0
    )
    spread = uniform_filter1d(spread, 2 * params.tonal_spread + 1)
    lo, hi = params.steady_db
    return np.clip((hi - spread) / (hi - lo), 0.0, 1.0)


def network_share(
    mixture: np.ndarray, background: np.ndarray, tonal: np.ndarray, params: SpeechParams
) -> np.ndarray:
    """How much of each bin's gain comes from the network's own output rather than the fused
    mask: all of it over a smooth background, where its 10 ms frames follow speech (and drum
    hits) more closely than 128 ms frames can; none on steady background lines, none where the
    mixture stands well above the background — there the gentle fused mask does no harm."""
    lo, hi = params.gentle_db
    snr_db = 10 * np.log10(np.maximum(mixture, TINY) / np.maximum(background, TINY))
    gentle = np.clip((snr_db - lo) / (hi - lo), 0.0, 1.0)
    return 1.0 - np.maximum(tonal, gentle)


def blended_gains(
    mono: np.ndarray, network: np.ndarray, gains: np.ndarray, share: np.ndarray, floor: float
) -> np.ndarray:
    """One complex mask: the fused gains, moved by `share` towards the network's own complex
    gain (its output over the mixture, at most 1 in size), never below `floor` in size."""
    power = mono.real**2 + mono.imag**2
    net = np.where(power > TINY, network * np.conj(mono) / np.maximum(power, TINY), 0)
    net_size = np.abs(net)
    net = np.where(net_size > 1.0, net / np.maximum(net_size, TINY), net)
    out = gains + share * (net - gains)
    out_size = np.abs(out)
    return np.where(out_size < floor, floor * np.exp(1j * np.angle(out)), out)


def rumble_bins(
    background: np.ndarray, bin_hz: float, params: SpeechParams, target_power: float
) -> int:
    """How many of the lowest bins to leave untouched: sub-sonic rumble belongs to the recording.

    The denoisers output almost nothing down there, so the fused mask would remove whatever a
    microphone picked up — building rumble, handling — which a listener does not hear as noise.
    It is kept unless the background shows it is noise: a rumble that stops at the cutoff (the
    median power per bin falls by `rumble_step_db` above it) and stays `rumble_below_db` under the
    target's stretches (`target_power`, summed over bins, per frame) is the recording's; a
    background that goes on above the cutoff (brown noise, traffic, mains hum) or a loud one
    (a music bed's sub-bass) is treated like the rest of the spectrum.
    """
    k = int(params.rumble_hz / bin_hz)
    if k < 1 or 4 * k > len(background):
        return 0
    # Medians over each band: a few strong bins (a voice's low harmonics in a background taken
    # from the quietest frames of an unmarked file, a mains line's leakage) do not move them.
    below = float(np.median(background[1 : k + 1] if k > 1 else background[:1]))
    above = float(np.median(background[k + 1 : 4 * k + 1]))
    if below <= TINY or below < above * 10 ** (params.rumble_step_db / 10):
        return 0
    loud = float(np.sum(background[: k + 1])) > target_power * 10 ** (-params.rumble_below_db / 10)
    return 0 if loud else k + 1
