"""The offline engine's DSP on arrays: reconstruction, separation quality, chunk invariance."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from isolde.dsp.envelope import merge_ranges, presence_envelope
from isolde.dsp.profiles import MeanPower, QuietestFrames
from isolde.dsp.separation import Profiles, estimate_profiles, separate
from isolde.dsp.sources import ArraySource
from isolde.dsp.stft import OverlapAdd, StftGrid, fft_size_for
from isolde.dsp.wiener import WienerParams

RATE = 48_000


def run_separation(
    mix: np.ndarray,
    rate: int,
    excluded: list[tuple[int, int]],
    included: Sequence[tuple[int, int]] = (),
    chunk: int | None = None,
    params: WienerParams | None = None,
) -> tuple[np.ndarray, np.ndarray, Profiles]:
    source = ArraySource(mix, rate)
    grid = StftGrid.for_rate(rate)
    params = params or WienerParams()
    excluded = merge_ranges(excluded)
    profiles = estimate_profiles(
        source, grid, params, excluded, list(included), lambda n: None, chunk
    )
    targets: list[np.ndarray] = []
    residuals: list[np.ndarray] = []

    def emit(t: np.ndarray, r: np.ndarray) -> None:
        targets.append(t)
        residuals.append(r)

    separate(source, grid, params, profiles, excluded, emit, lambda n: None, chunk)
    return np.concatenate(targets), np.concatenate(residuals), profiles


def voice_in_noise(sig, seconds: float = 12.0, seed: int = 0):
    """Voice at 0 dB SNR (over its voiced parts) in white noise, silent at 0–2 s and 6–7 s."""
    rate = sig.rate
    voice = sig.voice(seconds, rate, seed)
    voice[: 2 * rate] = 0
    voice[6 * rate : 7 * rate] = 0
    noise = np.random.default_rng(seed + 10).standard_normal(len(voice))
    noise *= np.sqrt(np.mean(voice[voice != 0] ** 2) / np.mean(noise**2))
    return voice, noise, [(0, 2 * rate), (6 * rate, 7 * rate)]


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000, 96000])
def test_fft_size_scales_with_rate_and_reconstructs(rate: int) -> None:
    grid = StftGrid.for_rate(rate)
    assert grid.n_fft == fft_size_for(rate)
    assert 0.02 < grid.n_fft / rate < 0.07
    x = np.random.default_rng(0).standard_normal((3 * grid.n_fft + 17, 2))
    count = grid.frame_count(len(x))
    padded = np.zeros(((count - 1) * grid.hop + grid.n_fft, 2))
    padded[grid.lead : grid.lead + len(x)] = x
    y = OverlapAdd(grid, 2).push(grid.synthesise(grid.analyse(padded)))
    np.testing.assert_allclose(y[grid.lead : grid.lead + len(x)], x, atol=1e-12)


def test_target_plus_residual_is_the_input_and_target_is_cleaner(sig) -> None:
    voice, noise, quiet = voice_in_noise(sig)
    mix = (voice + noise)[:, None]
    target, residual, profiles = run_separation(mix, sig.rate, quiet)
    assert profiles.noise_source == "exclude spans"
    assert target.shape == residual.shape == mix.shape
    assert np.abs(target.astype(np.float64) + residual - mix).max() < 1e-6
    before = sig.si_sdr(mix[:, 0], voice)
    after = sig.si_sdr(target[:, 0], voice)
    assert after > before + 6, (before, after)


def test_quietest_frames_stand_in_for_exclude_spans(sig) -> None:
    voice, noise, _ = voice_in_noise(sig, seed=2)
    mix = (voice + noise)[:, None]
    target, _, profiles = run_separation(mix, sig.rate, [])
    assert profiles.noise_source == "quietest frames"
    assert sig.si_sdr(target[:, 0], voice) > sig.si_sdr(mix[:, 0], voice) + 6


def test_quietest_frames_estimate_is_not_biased_low() -> None:
    # Steady white noise: the estimate must be near the true mean power, not its low tail.
    rng = np.random.default_rng(5)
    power = rng.exponential(2.0, size=(4000, 257))
    acc = QuietestFrames(257)
    acc.add(power[:1500])
    acc.add(power[1500:])
    estimate = acc.result()
    assert estimate is not None
    assert 1.6 < np.median(estimate) < 2.4


def test_include_spans_do_not_hurt(sig) -> None:
    voice, noise, quiet = voice_in_noise(sig, seed=3)
    mix = (voice + noise)[:, None]
    plain, _, _ = run_separation(mix, sig.rate, quiet)
    sharpened, _, profiles = run_separation(mix, sig.rate, quiet, [(3 * sig.rate, 5 * sig.rate)])
    assert profiles.weight is not None and profiles.include_frames > 0
    assert sig.si_sdr(sharpened[:, 0], voice) > sig.si_sdr(plain[:, 0], voice) - 0.5


def test_exclude_spans_hold_the_target_at_the_floor(sig) -> None:
    voice, noise, quiet = voice_in_noise(sig, seed=4)
    mix = (voice + 3 * noise)[:, None]  # loud background: the floor must hold regardless
    params = WienerParams(reduction_db=20.0)
    target, _, _ = run_separation(mix, sig.rate, quiet, params=params)
    ramp = int(0.02 * sig.rate)
    for a, b in quiet:
        inside = slice(a + ramp, b - ramp)
        ratio = np.sqrt(np.mean(target[inside] ** 2) / np.mean(mix[inside] ** 2))
        assert ratio == pytest.approx(params.floor, rel=1e-3)


def test_stereo_image_is_kept(sig) -> None:
    voice, noise, quiet = voice_in_noise(sig, seed=5)
    rng = np.random.default_rng(7)
    clean = np.stack([voice, 0.5 * voice], axis=1)  # panned left, 6 dB
    mix = clean + noise[:, None] * rng.uniform(0.9, 1.1, size=2) * rng.permutation([1, -1])
    target, _, _ = run_separation(mix, sig.rate, quiet)
    voiced = np.abs(voice) > 0
    ratio = np.sqrt(np.mean(target[voiced, 0] ** 2) / np.mean(target[voiced, 1] ** 2))
    assert ratio == pytest.approx(2.0, rel=0.1)
    for c in range(2):
        assert sig.si_sdr(target[:, c], clean[:, c]) > sig.si_sdr(mix[:, c], clean[:, c]) + 6


@pytest.mark.parametrize("quiet_marked", [True, False])
def test_chunked_equals_whole(sig, quiet_marked: bool) -> None:
    rate = 44_100  # an odd rate and an odd length: chunk edges fall anywhere
    voice = sig.voice(6.3, rate, 9)
    noise = 0.2 * np.random.default_rng(9).standard_normal((len(voice), 2))
    mix = voice[:, None] * [1.0, 0.7] + noise
    excluded = [(int(0.5 * rate), int(1.4 * rate)), (int(3.0 * rate), int(3.2 * rate))]
    excluded = excluded if quiet_marked else []
    included = [(int(2 * rate), int(2.7 * rate))]
    whole_t, whole_r, _ = run_separation(mix, rate, excluded, included, chunk=100_000)
    hop = StftGrid.for_rate(rate).hop
    for chunk in (7, 64):  # ~0.08 s and ~0.74 s: many seams
        assert len(mix) > 5 * chunk * hop
        t, r, _ = run_separation(mix, rate, excluded, included, chunk=chunk)
        assert np.abs(t - whole_t).max() < 1e-6
        assert np.abs(r - whole_r).max() < 1e-6


def test_digital_silence_passes_through() -> None:
    mix = np.zeros((RATE, 2))
    target, residual, _ = run_separation(mix, RATE, [])
    assert not target.any() and not residual.any()


def test_presence_envelope_ramps_inside_spans() -> None:
    ranges = merge_ranges([(100, 200), (200, 300), (1000, 1004)])
    assert ranges == [(100, 300), (1000, 1004)]
    env = presence_envelope(ranges, 0, 1100, ramp=20)
    assert env is not None
    assert np.all(env[:100] == 1) and np.all(env[300:1000] == 1)
    assert np.all(env[120:280] == 0)
    assert np.all(np.diff(env[100:121]) < 0)  # ramps down inside the span, not before it
    assert env[1001] < 1
    assert presence_envelope(ranges, 400, 900, ramp=20) is None


def test_mean_power_of_nothing_is_none() -> None:
    assert MeanPower(5).result() is None
