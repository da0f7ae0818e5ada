"""The speech path: RNNoise bindings, the aligned denoised stream, the background tracker, the
fused mask, and the chunked driver (exactness, chunk invariance, quality against the spectral
path on a changing background)."""

from __future__ import annotations

import numpy as np
import pytest

from isolde.dsp import rnnoise
from isolde.dsp.background_tracker import BackgroundTracker
from isolde.dsp.denoise_worker import DenoisePipeline
from isolde.dsp.denoised_stream import DenoisedStream
from isolde.dsp.separation import estimate_profiles, separate
from isolde.dsp.sources import ArraySource
from isolde.dsp.speech_mask import SpeechParams, speech_gains
from isolde.dsp.speech_separation import separate_speech, speech_grid
from isolde.dsp.stft import StftGrid
from isolde.dsp.wiener import WienerParams

pytestmark = pytest.mark.skipif(not rnnoise.available(), reason="pyrnnoise is not installed")
RATE = 48_000


def run_speech(mix: np.ndarray, rate: int, excluded, chunk=None, use_process=False):
    source = ArraySource(mix, rate)
    grid = speech_grid(rate)
    wiener = WienerParams()
    profiles = estimate_profiles(source, grid, wiener, excluded, [], lambda n: None)
    targets, residuals = [], []

    def emit(t: np.ndarray, r: np.ndarray) -> None:
        targets.append(t)
        residuals.append(r)

    with DenoisedStream(source, use_process=use_process) as denoised:
        separate_speech(
            source,
            grid,
            SpeechParams(floor=wiener.floor),
            profiles,
            excluded,
            denoised,
            emit,
            lambda n: None,
            chunk,
        )
    return np.concatenate(targets), np.concatenate(residuals)


def speech_over_plucks(sig, seconds: float = 6.0, seed: int = 0, rate: int = RATE):
    """Speech-like syllables from 2 s on over a plucked arpeggio at 0 dB; 0–1.95 s excluded."""
    speech = sig.speech(seconds, rate, seed)
    speech[: 2 * rate] = 0
    bed = sig.plucks(len(speech), rate, seed)
    bed *= np.sqrt(np.mean(speech[speech != 0] ** 2) / np.mean(bed**2))
    return speech, bed, [(0, int(1.95 * rate))]


def test_denoiser_output_is_aligned_and_as_long_as_its_input(sig) -> None:
    voice = sig.speech(2.0, RATE, 3)
    noisy = voice + 0.01 * np.random.default_rng(0).standard_normal(len(voice))
    denoiser = rnnoise.Denoiser()
    parts, vads = [], []
    for a in range(0, len(noisy), 1234):  # blocks that do not fit the 480-sample frames
        out, vad = denoiser.process(noisy[a : a + 1234])
        parts.append(out)
        vads.append(vad)
    out, vad = denoiser.flush()
    y = np.concatenate([*parts, out])
    assert len(y) == len(noisy)
    assert len(np.concatenate([*vads, vad])) == -(-len(noisy) // rnnoise.FRAME)
    lags = range(-rnnoise.FRAME, rnnoise.FRAME + 1, 20)
    middle = slice(RATE // 2, 3 * RATE // 2)
    best = max(lags, key=lambda k: float(np.dot(np.roll(y, -k)[middle], voice[middle])))
    assert best == 0  # the two-frame delay is compensated
    assert sig.si_sdr(y, voice) > 6


@pytest.mark.parametrize("rate", [16_000, 44_100])
def test_pipeline_at_other_rates_keeps_length_and_level(sig, rate: int) -> None:
    voice = sig.speech(1.5, rate, 4)
    pipeline = DenoisePipeline(rate)
    y = np.concatenate([pipeline.process(voice[:7000]), pipeline.process(voice[7000:])])
    y = np.concatenate([y, pipeline.finish()])
    pipeline.close()
    assert len(y) == len(voice)
    assert sig.si_sdr(y, voice) > 5


def test_stream_reads_are_independent_of_chunking(sig) -> None:
    mix = sig.voice(3.0, 22_050, 5)[:, None] * [1.0, 0.5]
    source = ArraySource(mix, 22_050)
    with DenoisedStream(source, use_process=False) as one:
        whole = one.read(-100, source.frames + 100)
    with DenoisedStream(source, use_process=False) as two:
        parts = [two.read(a, a + 5000) for a in range(-100, source.frames + 100, 4000)]
    stitched = np.concatenate([p[:4000] for p in parts])[: len(whole)]
    np.testing.assert_array_equal(stitched, whole)
    assert not whole[:100].any() and not whole[-100:].any()  # zero outside the file


def test_worker_process_gives_the_same_estimate(sig) -> None:
    mix = sig.voice(2.0, RATE, 6)[:, None]
    source = ArraySource(mix, RATE)
    with DenoisedStream(source, use_process=False) as inline:
        a = inline.read(0, source.frames)
    with DenoisedStream(source, use_process=True) as remote:
        b = remote.read(0, source.frames)
    np.testing.assert_array_equal(a, b)


def test_background_tracker_is_a_centred_weighted_mean() -> None:
    rng = np.random.default_rng(0)
    total, bins, half = 40, 6, 3
    power = rng.exponential(1.0, (total, bins))
    weights = rng.uniform(0, 1, (total, bins))
    prior = np.full(bins, 2.0)
    tracker = BackgroundTracker(prior, half, 0.5, total)
    got, done = [], 0
    for a in range(0, total, 7):
        tracker.push(weights[a : a + 7] * power[a : a + 7], weights[a : a + 7])
        ready = tracker.ready()
        got.append(tracker.take(done, ready))
        done = ready
    got = np.concatenate(got)
    assert got.shape == (total, bins)
    for m in (0, 10, total - 1):
        lo, hi = max(m - half, 0), min(m + half + 1, total)
        w = weights[lo:hi]
        expected = ((w * power[lo:hi]).sum(0) + 0.5 * prior) / (w.sum(0) + 0.5)
        np.testing.assert_allclose(got[m], expected)


def test_fused_gains_stay_between_floor_and_one() -> None:
    rng = np.random.default_rng(1)
    mixture = rng.exponential(1.0, (20, 64))
    params = SpeechParams(floor=0.05)
    gains = speech_gains(mixture, 0.5 * mixture, np.full(64, 0.3), params)
    assert gains.min() >= 0.05 and gains.max() <= 1.0
    silent = speech_gains(mixture, np.zeros_like(mixture), np.full(64, 0.3), params)
    assert np.all(silent == 0.05)  # no speech heard: only the floor


def test_target_plus_residual_is_the_input_and_chunks_do_not_matter(sig) -> None:
    rate = 44_100
    voice, bed, _ = speech_over_plucks(sig, 5.0, rate=rate)
    mix = np.stack([voice + bed, 0.7 * voice - bed], axis=1)
    excluded = [(int(0.2 * rate), int(1.8 * rate))]
    whole_t, whole_r = run_speech(mix, rate, excluded, chunk=100_000)
    assert whole_t.shape == mix.shape
    assert np.abs(whole_t.astype(np.float64) + whole_r - mix.astype(np.float32)).max() < 1e-6
    for chunk in (3, 17):  # many seams, each in a different place
        t, r = run_speech(mix, rate, excluded, chunk=chunk)
        assert np.abs(t - whole_t).max() < 1e-5
        assert np.abs(r - whole_r).max() < 1e-5


def test_speech_path_follows_a_music_bed_better_than_the_spectral_path(sig) -> None:
    voice, bed, excluded = speech_over_plucks(sig)
    mix = (voice + bed)[:, None]
    speech_t, _ = run_speech(mix, RATE, excluded)
    source = ArraySource(mix, RATE)
    grid = StftGrid.for_rate(RATE)
    params = WienerParams()
    profiles = estimate_profiles(source, grid, params, excluded, [], lambda n: None)
    spectral: list[np.ndarray] = []
    separate(
        source, grid, params, profiles, excluded, lambda t, r: spectral.append(t), lambda n: None
    )
    before = sig.si_sdr(mix[:, 0], voice)
    speech_gain = sig.si_sdr(speech_t[:, 0], voice) - before
    spectral_gain = sig.si_sdr(np.concatenate(spectral)[:, 0], voice) - before
    assert speech_gain > 7, speech_gain
    assert speech_gain > spectral_gain + 3, (speech_gain, spectral_gain)


@pytest.mark.parametrize("rate", [8_000, 192_000])
def test_speech_path_at_extreme_rates(sig, rate: int) -> None:
    voice = sig.speech(3.0, rate, 7)
    voice[:rate] = 0
    mix = (voice + 0.05 * np.random.default_rng(3).standard_normal(len(voice)))[:, None]
    target, residual = run_speech(mix, rate, [(0, int(0.95 * rate))])
    assert target.shape == mix.shape
    assert np.isfinite(target).all()
    assert np.abs(target.astype(np.float64) + residual - mix.astype(np.float32)).max() < 1e-6
    if rate >= 16_000:  # RNNoise hears band-limited synthetic syllables poorly; real speech is
        # measured at 8 and 16 kHz in the benchmark's notes instead
        assert sig.si_sdr(target[:, 0], voice) > sig.si_sdr(mix[:, 0], voice) + 5
