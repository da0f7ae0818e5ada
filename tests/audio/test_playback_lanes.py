"""Lanes through the whole pipeline: A/B switching, remix gains, channel mapping, the callback's
allocations, and what happens when there is no output."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from isolde.audio.block_queue import BlockQueue
from isolde.audio.feeder import Feeder, PlayRequest
from isolde.audio.info import AudioInfo
from isolde.audio.mixer import Mixer, db_to_gain
from isolde.audio.playback import Player
from isolde.audio.pull_backend import PullBackend
from isolde.audio.renderer import Renderer
from isolde.audio.source import AudioSource

RATE = 48000
BLOCK = 256


def array_source(x: np.ndarray, rate: int = RATE, name: str = "mem") -> AudioSource:
    x = x if x.ndim == 2 else x[:, None]
    return AudioSource(AudioInfo(name, rate, x.shape[1], len(x), "RAW", "FLOAT"), x)


def program(seconds: float = 1.0) -> dict[str, np.ndarray]:
    """An original that is exactly target + residual, as a separation promises."""
    t = np.arange(round(seconds * RATE)) / RATE
    target = 0.3 * np.sin(2 * np.pi * 220 * t)
    residual = 0.2 * np.sin(2 * np.pi * 1234 * t + 0.5)
    stereo = np.stack([target + residual, 0.5 * target + residual], axis=1).astype(np.float32)
    return {
        "original": stereo,
        "target": target.astype(np.float32)[:, None],  # mono, as SAM Audio returns it
        "residual": np.stack([residual, residual], axis=1).astype(np.float32),
    }


def pull(player: Player, backend: PullBackend, blocks: int) -> np.ndarray:
    chunks = []
    for _ in range(blocks):
        player.wait_buffered()
        chunks.append(backend.pull())
    return np.concatenate(chunks)


@pytest.fixture
def ab() -> tuple[Player, PullBackend, dict[str, np.ndarray]]:
    lanes = program()
    backend = PullBackend()
    player = Player(backend=backend, blocksize=BLOCK)
    player.set_lane("target", mute=True)  # settings may come before the sources
    player.set_lane("residual", mute=True)
    player.set_sources({name: array_source(x) for name, x in lanes.items()}, RATE, 2)
    yield player, backend, lanes
    player.close()


def test_lanes_keep_their_settings(ab: tuple[Player, PullBackend, dict[str, np.ndarray]]) -> None:
    player, _, _ = ab
    assert list(player.lanes) == ["original", "target", "residual"]
    assert player.lanes["target"].mute and not player.lanes["original"].mute


def test_switch_to_the_target_lands_within_20_ms_without_a_click(
    ab: tuple[Player, PullBackend, dict[str, np.ndarray]],
) -> None:
    player, backend, lanes = ab
    player.play(0.0)
    before = pull(player, backend, 8)
    assert np.array_equal(before[240:], lanes["original"][240 : 8 * BLOCK])  # after the fade-in
    player.set_lane("target", mute=False, solo=True)
    after = pull(player, backend, 8)
    settled = BLOCK + 480  # the next callback picks it up, then a 10 ms ramp
    assert settled / RATE <= 0.020
    mono_target = np.repeat(lanes["target"], 2, axis=1)  # mono duplicated to both speakers
    start = 8 * BLOCK
    assert np.array_equal(after[480:], mono_target[start + 480 : start + len(after)])
    out = np.concatenate([before, after])
    assert np.abs(np.diff(out, axis=0)).max() < 0.06  # the signal's own steps are ~0.04


def test_remix_gains_are_heard(ab: tuple[Player, PullBackend, dict[str, np.ndarray]]) -> None:
    player, backend, lanes = ab
    player.set_lane("original", mute=True)
    player.set_lane("target", mute=False)
    player.set_lane("residual", mute=False, gain_db=-18.0)
    player.play(0.5)
    out = pull(player, backend, 6)[240:]
    start = 24000 + 240
    target = np.repeat(lanes["target"][start : start + len(out)], 2, axis=1)
    residual = lanes["residual"][start : start + len(out)]
    np.testing.assert_allclose(out, target + residual * db_to_gain(-18.0), atol=1e-6)


def test_new_sources_keep_position_and_playing(
    ab: tuple[Player, PullBackend, dict[str, np.ndarray]],
) -> None:
    player, backend, lanes = ab
    player.play(0.25)
    pull(player, backend, 4)
    where = player.position
    player.set_sources({"original": array_source(lanes["original"])})
    assert player.playing and player.position == where
    assert list(player.lanes) == ["original"]
    out = pull(player, backend, 3)
    frame = round(where * RATE)
    assert np.array_equal(out[240:], lanes["original"][frame + 240 : frame + len(out)])


def test_lanes_must_share_a_sample_rate() -> None:
    player = Player(backend=PullBackend())
    with pytest.raises(ValueError, match="44100 Hz but playback runs at 48000 Hz"):
        player.set_sources(
            {"original": array_source(np.zeros(10)), "target": array_source(np.zeros(10), 44100)}
        )
    player.close()


def test_a_wide_file_plays_its_first_two_channels_and_mono_devices_get_a_mix() -> None:
    quad = np.random.default_rng(1).uniform(-0.2, 0.2, (4096, 4)).astype(np.float32)
    backend = PullBackend(max_channels=1)
    with Player(backend=backend, blocksize=BLOCK) as player:
        player.set_sources({"original": array_source(quad)}, RATE, 4)
        player.play(0.0)
        out = pull(player, backend, 8)
    assert out.shape[1] == 1
    np.testing.assert_allclose(out[240:, 0], quad[240:2048].mean(axis=1), atol=1e-6)


def test_the_callback_allocates_nothing_block_sized() -> None:
    frames = 1024  # a block-sized temporary would be 4 KB (mono) or 8 KB (stereo)
    x = np.random.default_rng(2).uniform(-0.5, 0.5, (RATE, 2)).astype(np.float32)
    sources = [array_source(x), array_source(x[:, :1])]
    queue = BlockQueue(64, 2, 1024, 2)  # room for every block below: no feeder runs meanwhile
    feeder = Feeder(sources, queue, 2, fade_frames=240, seam_frames=480)
    feeder.submit(PlayRequest(1, 0, RATE, loop=(1000, 9000)))  # loop seams on the way
    feeder.fill_now()
    mixer = Mixer(2, 2, frames, ramp_frames=480, fade_frames=240)
    renderer = Renderer(queue, mixer)
    renderer.gen, renderer.run = 1, True
    out = np.zeros((frames, 2), np.float32)
    renderer.render(out)  # warm up
    peaks, growth = [], 0
    tracemalloc.start()
    try:
        for i in range(60):
            if i % 20 == 10:  # gain ramps in flight too (the swap is the control side's)
                mixer.targets = np.array([1.0, 0.0] if i % 40 else [0.0, 1.0], np.float32)
            base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            renderer.render(out)
            current, peak = tracemalloc.get_traced_memory()
            peaks.append(peak - base)
            growth += current - base
    finally:
        tracemalloc.stop()
    assert renderer.underruns == 0 and out.any()
    assert max(peaks) < 2048  # a few small Python objects, never an array of samples
    assert growth < 1024  # and nothing kept


def test_no_output_device_is_a_message_not_an_exception() -> None:
    reason = (
        "No sound output: there is no output device 'Nope'. Playback is off; everything else works."
    )
    player = Player(backend=PullBackend(fail=reason))
    player.set_sources({"original": array_source(np.zeros((RATE, 2), np.float32))})
    assert player.error == reason
    player.play(0.5)
    player.set_lane("original", gain_db=-6.0)
    assert not player.playing
    player.seek(0.75)
    assert player.position == 0.75 and player.duration == 1.0
    player.pause()
    player.stop()
    assert not player.wait_buffered(0.01)
    player.close()


def test_set_lanes_switches_several_lanes_in_one_swap(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An A/B switch must land whole: the mixer's targets are replaced once, not lane by lane."""
    import numpy as np
    import soundfile as sf

    from isolde.audio import open_audio
    from isolde.audio.mixer import LaneSettings
    from isolde.audio.playback import Player
    from isolde.audio.pull_backend import PullBackend

    paths = {}
    for name, value in (("a", 0.25), ("b", -0.5)):
        paths[name] = tmp_path / f"{name}.wav"
        sf.write(paths[name], np.full((48_000, 1), value, np.float32), 48_000, subtype="FLOAT")
    sources = {name: open_audio(path) for name, path in paths.items()}
    player = Player(backend=PullBackend())
    player.set_sources(sources)
    player.play(0.0)
    player.wait_buffered(1.0)
    swaps = []
    build = player._targets
    player._targets = lambda: swaps.append(1) or build()  # type: ignore[method-assign]
    player.set_lanes({"a": LaneSettings(solo=False), "b": LaneSettings(solo=True)})
    assert len(swaps) == 1
    assert player.lanes["b"].solo and not player.lanes["a"].solo
    player.close()
    for source in sources.values():
        source.close()
