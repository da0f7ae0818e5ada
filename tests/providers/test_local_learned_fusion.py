"""The speech path's learned stage (dsp/learned_fusion.py): what it reads and returns, that its
trained weights keep a clear voice bin and drop a background one, that it runs in the neural
path, and that the path goes on without it when its weights are missing."""

from __future__ import annotations

import numpy as np
import pytest

from isolde.dsp import deepfilter, learned_fusion
from isolde.dsp.learned_fusion import FMAX_HZ, plane_sizes, planes, refined_gains

BIN_HZ = 48_000 / 6144
BINS = 3073
needs_network = pytest.mark.skipif(
    not deepfilter.available(), reason=deepfilter.unavailable_reason()
)


def test_the_weights_ship_small_and_fit_the_features() -> None:
    assert learned_fusion.available()
    assert learned_fusion.WEIGHTS.stat().st_size < 50_000
    weights = learned_fusion._weights()
    assert weights is not None and all(a.dtype == np.float32 for a in weights.values())
    feats = planes(*(np.ones((2, BINS)),) * 4, np.ones(BINS), BIN_HZ)
    assert weights["mean"].shape == (len(feats),) and weights["w0"].shape[0] == len(feats)


def test_refined_gains_keep_the_shape_the_phase_and_the_top() -> None:
    rng = np.random.default_rng(1)
    frames = 12
    mono = rng.standard_normal((frames, BINS)) + 1j * rng.standard_normal((frames, BINS))
    power = np.abs(mono) ** 2
    gains = rng.uniform(0, 1, (frames, BINS)) * np.exp(1j * rng.uniform(-0.3, 0.3, (frames, BINS)))
    speech = power * rng.uniform(0, 1, (frames, BINS))
    background = power * rng.uniform(0.2, 2, (frames, BINS))
    out = refined_gains(gains, power, speech, background, background.mean(axis=0), BIN_HZ, 0.03)
    top = int(FMAX_HZ / BIN_HZ)
    assert out.shape == gains.shape and np.all(np.isfinite(out))
    assert np.all(np.abs(out) <= 1.0 + 1e-6)
    assert np.all(np.abs(out[:, :top]) >= 0.03 - 1e-6)  # never below the reduction asked for
    np.testing.assert_array_equal(out[:, top:], gains[:, top:])  # above FMAX_HZ: untouched
    moved = np.abs(gains[:, :top]) > 1e-3
    np.testing.assert_allclose(np.angle(out[:, :top])[moved], np.angle(gains[:, :top])[moved],
                               atol=1e-5)  # fmt: skip
    # Frame by frame: the first six frames alone give what they gave with the rest.
    half = refined_gains(gains[:6], power[:6], speech[:6], background[:6],
                         background.mean(axis=0), BIN_HZ, 0.03)  # fmt: skip
    np.testing.assert_allclose(half, out[:6], rtol=1e-6, atol=1e-7)


def test_a_clear_voice_bin_is_kept_and_a_background_bin_dropped() -> None:
    frames, profile = 8, np.full(BINS, 1e-6)
    voice = np.full((frames, BINS), 1e-3)  # 30 dB over the background, the network hears it all
    kept = plane_sizes(planes(voice, voice, np.ones((frames, BINS)), np.full((frames, BINS), 1e-6),
                          profile, BIN_HZ))  # fmt: skip
    noise = np.full((frames, BINS), 1e-6)  # the background alone, the network hears nothing
    dropped = plane_sizes(planes(noise, noise * 1e-4, np.full((frames, BINS), 0.03), noise, profile,
                             BIN_HZ))  # fmt: skip
    band = slice(int(200 / BIN_HZ), int(6000 / BIN_HZ))
    assert np.median(kept[:, band]) > 0.9
    assert np.median(dropped[:, band]) < 0.1


@needs_network
def test_the_neural_path_runs_the_stage_and_goes_on_without_its_weights(
    sig, monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from test_local_neural import separate, speech_in_noise

    speech, noise = speech_in_noise(sig, 0.0)
    mix = speech + noise
    with_stage, _ = separate(mix, 48_000, [(0, int(1.9 * 48_000))])
    monkeypatch.setattr(learned_fusion, "WEIGHTS", tmp_path / "missing.npz")
    learned_fusion._weights.cache_clear()
    try:
        assert not learned_fusion.available()
        without, residual = separate(mix, 48_000, [(0, int(1.9 * 48_000))])
    finally:
        monkeypatch.undo()
        learned_fusion._weights.cache_clear()
    assert np.max(np.abs(with_stage - without)) > 1e-3  # the stage changed the target
    np.testing.assert_allclose(without + residual, mix[:, None], atol=1e-6)
