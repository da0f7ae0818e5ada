"""The playback mixer as plain numpy: sums, gains, mute/solo, ramps, fades and seams."""

from __future__ import annotations

import math

import numpy as np
import pytest

from isolde.audio.mixer import (
    GainRamp,
    LaneSettings,
    Mixer,
    audible_gains,
    db_to_gain,
    fade_out_gains,
    map_channels,
    seam_weights,
)

RNG = np.random.default_rng(7)


def lanes(count: int, frames: int, channels: int = 2, amp: float = 0.3) -> np.ndarray:
    return (RNG.uniform(-amp, amp, (count, frames, channels))).astype(np.float32)


def steady_mixer(targets: list[float], frames: int = 512, channels: int = 2) -> Mixer:
    mixer = Mixer(
        len(targets), channels, frames, ramp_frames=480, fade_frames=240, targets=np.array(targets)
    )
    mixer.master.jump(1.0)
    return mixer


def max_jump(x: np.ndarray) -> float:
    return float(np.abs(np.diff(x, axis=0)).max())


def test_unity_gains_sum_exactly() -> None:
    stage = lanes(3, 512)
    out = np.zeros((512, 2), np.float32)
    steady_mixer([1.0, 1.0, 1.0]).mix(stage, out)
    assert np.array_equal(out, (stage[0] + stage[1]) + stage[2])


def test_gains_in_db() -> None:
    assert db_to_gain(0.0) == 1.0
    assert db_to_gain(-6.0) == pytest.approx(0.501187, rel=1e-6)
    assert db_to_gain(6.0) == pytest.approx(1.995262, rel=1e-6)
    assert db_to_gain(-math.inf) == 0.0
    gains = audible_gains([LaneSettings(gain_db=-6.0), LaneSettings(gain_db=6.0)])
    stage = lanes(2, 256, amp=0.2)
    out = np.zeros((256, 2), np.float32)
    steady_mixer(list(gains), 256).mix(stage, out)
    assert np.array_equal(out, stage[0] * gains[0] + stage[1] * gains[1])


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ([LaneSettings(), LaneSettings(mute=True), LaneSettings()], [1, 0, 1]),
        ([LaneSettings(), LaneSettings(solo=True), LaneSettings()], [0, 1, 0]),
        ([LaneSettings(solo=True), LaneSettings(solo=True), LaneSettings()], [1, 1, 0]),
        ([LaneSettings(solo=True, mute=True), LaneSettings(), LaneSettings()], [0, 0, 0]),
        ([LaneSettings(solo=True), LaneSettings(), LaneSettings(gain_db=-math.inf)], [1, 0, 0]),
        ([LaneSettings(mute=True), LaneSettings(mute=True), LaneSettings(mute=True)], [0, 0, 0]),
    ],
)
def test_mute_and_solo(settings: list[LaneSettings], expected: list[float]) -> None:
    assert audible_gains(settings).tolist() == expected


def test_muted_lane_is_not_heard() -> None:
    stage = lanes(2, 128)
    out = np.zeros((128, 2), np.float32)
    steady_mixer([1.0, 0.0], 128).mix(stage, out)
    assert np.array_equal(out, stage[0])


def test_gain_change_ramps_linearly_without_a_jump() -> None:
    frames, ramp = 4096, 480  # 10 ms at 48 kHz
    stage = np.full((1, frames, 2), 0.8, np.float32)  # DC: the worst case for a gain step
    mixer = steady_mixer([1.0], 256)
    out = np.zeros((frames, 2), np.float32)
    mixer.mix(stage[:, :256], out[:256])
    mixer.targets = np.array([0.25], np.float32)
    for first in range(256, frames, 256):
        mixer.mix(stage[:, first : first + 256], out[first : first + 256])
    assert max_jump(out) <= 0.8 * 0.75 / ramp + 1e-6
    assert np.allclose(out[256 + ramp - 1 :], 0.2)  # at the target once the ramp ends
    assert out[256 + ramp // 2, 0] == pytest.approx(0.8 * (1 - 0.75 / 2), abs=2e-3)


def test_ab_switch_is_a_crossfade_that_keeps_correlated_level() -> None:
    frames = 2048
    same = np.full((frames, 2), 0.5, np.float32)
    stage = np.stack([same, same])  # original vs. target + residual: the same sound
    mixer = steady_mixer([1.0, 0.0], 256)
    out = np.zeros((frames, 2), np.float32)
    mixer.mix(stage[:, :256], out[:256])
    mixer.targets = audible_gains([LaneSettings(), LaneSettings(solo=True)])
    for first in range(256, frames, 256):
        mixer.mix(stage[:, first : first + 256], out[first : first + 256])
    assert np.allclose(out, 0.5, atol=1e-6)  # no dip, no bump
    assert mixer.ramps[0].value == 0.0 and mixer.ramps[1].value == 1.0
    assert not mixer.ramps[0].ramping  # done within 10 ms of the change


def test_ab_switch_between_unrelated_lanes_has_bounded_steps() -> None:
    frames, rate = 9600, 48000
    t = np.arange(frames) / rate
    a = 0.5 * np.sin(2 * np.pi * 440 * t)
    b = 0.5 * np.sin(2 * np.pi * 97 * t + 1.0)
    stage = np.stack([np.stack([a, a], 1), np.stack([b, b], 1)]).astype(np.float32)
    mixer = steady_mixer([1.0, 0.0], 256)
    out = np.zeros((frames, 2), np.float32)
    for first in range(0, frames, 256):
        if first == 2560:
            mixer.targets = np.array([0.0, 1.0], np.float32)
        mixer.mix(stage[:, first : first + 256], out[first : first + 256])
    natural = max(max_jump(stage[0]), max_jump(stage[1]))
    assert max_jump(out) <= natural + 0.5 / 480 + 1e-6
    assert np.array_equal(out[2560 + 480 :], stage[1, 2560 + 480 :])


def test_retarget_mid_ramp_starts_from_where_the_gain_is() -> None:
    ramp = GainRamp(100, 1.0)
    steps = np.arange(1, 1001, dtype=np.float32)
    buf = np.zeros(1000, np.float32)
    ramp.set_target(0.0)
    first = ramp.render(steps, buf[:30]).copy()
    ramp.set_target(1.0)
    second = ramp.render(steps, buf[:200]).copy()
    gains = np.concatenate([[1.0], first, second])
    assert np.abs(np.diff(gains)).max() <= 1 / 100 + 1e-6  # never faster than one ramp
    assert np.abs(np.diff(second[:100])).max() <= 0.3 / 100 + 1e-6  # the new ramp starts at 0.7
    assert first[-1] == pytest.approx(0.7, abs=1e-6)
    assert second[99] == pytest.approx(1.0) and np.all(second[100:] == 1.0)


def test_ramp_is_the_same_whatever_the_block_size() -> None:
    steps = np.arange(1, 1025, dtype=np.float32)
    whole, pieces = GainRamp(300, 0.0), GainRamp(300, 0.0)
    whole.set_target(1.0)
    pieces.set_target(1.0)
    a = whole.render(steps, np.zeros(1000, np.float32)).copy()
    b = np.concatenate(
        [pieces.render(steps, np.zeros(n, np.float32)).copy() for n in (7, 256, 37, 700)]
    )
    assert np.allclose(a, b, atol=1e-6)


def test_master_fade_in_shape_and_silence() -> None:
    mixer = Mixer(1, 1, 512, ramp_frames=480, fade_frames=240)
    assert mixer.master.silent
    mixer.master.set_target(1.0)
    stage = np.ones((1, 512, 1), np.float32) * 0.5
    out = np.zeros((512, 1), np.float32)
    mixer.mix(stage, out)
    expected = 0.5 * np.minimum(np.arange(1, 513) / 240, 1.0)
    assert np.allclose(out[:, 0], expected, atol=1e-6)
    assert out[239, 0] == 0.5 and mixer.master.value == 1.0


def test_output_is_clipped() -> None:
    stage = np.full((2, 64, 2), 0.8, np.float32)
    out = np.zeros((64, 2), np.float32)
    steady_mixer([1.0, 1.0], 64).mix(stage, out)
    assert np.all(out == 1.0)


def test_end_of_range_fade_reaches_zero_in_equal_steps() -> None:
    gains = fade_out_gains(stop=1000, fade=100, first=850, count=150)
    assert np.all(gains[:50] == 1.0)
    assert gains[-1] == 0.0
    assert np.allclose(np.diff(gains[49:]), -0.01, atol=1e-6)
    split = np.concatenate([fade_out_gains(1000, 100, 850, 70), fade_out_gains(1000, 100, 920, 80)])
    assert np.array_equal(split, gains)  # pieces join up


def test_seam_weights_keep_power_and_move_monotonically() -> None:
    w_out, w_in = seam_weights(480, 0, 480)
    assert np.allclose(w_out**2 + w_in**2, 1.0, atol=1e-6)
    assert np.all(np.diff(w_out) < 0) and np.all(np.diff(w_in) > 0)
    assert w_out[0] > 0.999 and w_in[-1] > 0.999
    late_out, late_in = seam_weights(480, 200, 100)
    assert np.array_equal(late_out, w_out[200:300]) and np.array_equal(late_in, w_in[200:300])


def test_channel_mapping() -> None:
    mono = np.arange(6, dtype=np.float32).reshape(6, 1)
    assert np.array_equal(map_channels(mono, 2), np.hstack([mono, mono]))
    quad = RNG.standard_normal((5, 4)).astype(np.float32)
    assert np.array_equal(map_channels(quad, 2), quad[:, :2])
    stereo = RNG.standard_normal((5, 2)).astype(np.float32)
    assert map_channels(stereo, 2) is stereo
    assert np.allclose(map_channels(stereo, 1)[:, 0], stereo.mean(axis=1))
    assert map_channels(stereo, 3)[:, 2].tolist() == [0.0] * 5
