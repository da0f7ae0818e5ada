"""Transport through the feeder, queue and callback, pulled block by block (no device).

Every pull first waits for the feeder, so what comes out is deterministic: the exact samples of
the span, shaped only by the documented fades.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from isolde.audio.info import AudioInfo
from isolde.audio.mixer import fade_out_gains, seam_weights
from isolde.audio.playback import IDLE_STOP_S, Player
from isolde.audio.pull_backend import PullBackend
from isolde.audio.source import AudioSource

RATE = 16000
FADE = 80  # pipeline.FADE_S at RATE
SEAM = 160  # pipeline.SEAM_S at RATE
BLOCK = 256


def signal(seconds: float = 2.0) -> np.ndarray:
    """Stereo, never zero, different per channel: a cut or a misplaced sample shows."""
    t = np.arange(round(seconds * RATE)) / RATE
    left = 0.3 + 0.2 * np.sin(2 * np.pi * 3 * t)
    right = -0.3 + 0.1 * np.cos(2 * np.pi * 5 * t)
    return np.stack([left, right], axis=1).astype(np.float32)


def array_source(x: np.ndarray, rate: int = RATE, name: str = "mem") -> AudioSource:
    x = x if x.ndim == 2 else x[:, None]
    return AudioSource(AudioInfo(name, rate, x.shape[1], len(x), "RAW", "FLOAT"), x)


def pull(player: Player, backend: PullBackend, blocks: int) -> np.ndarray:
    chunks = []
    for _ in range(blocks):
        player.wait_buffered()
        chunks.append(backend.pull())
    return np.concatenate(chunks)


def fade_in(n: int) -> np.ndarray:
    return np.minimum(np.arange(1, n + 1) / FADE, 1.0)[:, None]


def max_jump(x: np.ndarray) -> float:
    return float(np.abs(np.diff(x, axis=0)).max())


@pytest.fixture
def rig() -> tuple[Player, PullBackend, np.ndarray]:
    x = signal()
    backend = PullBackend()
    player = Player(backend=backend, blocksize=BLOCK)
    player.set_sources({"original": array_source(x)}, RATE, 2)
    yield player, backend, x
    player.close()


def test_a_span_plays_exactly_its_samples(rig: tuple[Player, PullBackend, np.ndarray]) -> None:
    player, backend, x = rig
    start, stop = 8000, 12000
    player.play(start / RATE, stop_s=stop / RATE)
    assert player.playing and player.error is None
    out = pull(player, backend, 20)
    n = stop - start
    fades = fade_in(n) * fade_out_gains(stop, FADE, start, n)[:, None]
    np.testing.assert_allclose(out[:n], x[start:stop] * fades, atol=1e-6)
    assert np.array_equal(out[FADE : n - FADE], x[start + FADE : stop - FADE])  # untouched
    assert not out[n:].any()  # silence after the end
    assert not player.playing and player.position == stop / RATE
    assert player.underruns == 0


def test_position_advances_with_what_was_played(
    rig: tuple[Player, PullBackend, np.ndarray],
) -> None:
    player, backend, _ = rig
    player.play(0.25)
    assert player.position == 0.25
    pull(player, backend, 10)
    assert player.position == (4000 + 10 * BLOCK) / RATE
    backend.latency = 0.01  # the speaker is 10 ms behind the callback
    assert player.position == pytest.approx((4000 + 10 * BLOCK - 160) / RATE)


def test_seek_while_playing_fades_across_without_a_click(
    rig: tuple[Player, PullBackend, np.ndarray],
) -> None:
    player, backend, x = rig
    player.play(0.1)
    before = pull(player, backend, 6)
    player.seek(1.2)
    assert player.position == 1.2 and player.playing
    after = pull(player, backend, 12)
    out = np.concatenate([before, after])
    assert max_jump(out) < 0.01  # a cut from 0.1 s to 1.2 s would jump by ~0.2
    # The old audio fades out over FADE frames (the first block after the seek), maybe a
    # short wait for the feeder, then the audio from 1.2 s fades in.
    assert not after[FADE - 1].any()
    begin = FADE + int(np.argmax(after[FADE:, 0] != 0))
    new = after[begin:]
    np.testing.assert_allclose(new, x[19200 : 19200 + len(new)] * fade_in(len(new)), atol=1e-6)
    assert player.position == (19200 + len(new)) / RATE


def test_loop_repeats_with_a_seamless_crossfade(
    rig: tuple[Player, PullBackend, np.ndarray],
) -> None:
    player, backend, x = rig
    a, b = 8000, 9600
    player.play(loop=(a / RATE, b / RATE))
    out = pull(player, backend, 25)  # 6400 frames: four passes
    span = b - a
    first = x[a:b] * fade_in(span)
    np.testing.assert_allclose(out[:span], first, atol=1e-6)
    w_out, w_in = seam_weights(SEAM, 0, SEAM)
    for p in (1, 2, 3):
        lap = out[p * span : (p + 1) * span]
        blend = x[a : a + SEAM] * w_in[:, None] + x[b : b + SEAM] * w_out[:, None]
        np.testing.assert_allclose(lap[:SEAM], blend, atol=1e-6)
        assert np.array_equal(lap[SEAM:], x[a + SEAM : b])
    assert max_jump(out[FADE:]) <= max_jump(x) + 0.01
    assert player.playing and a / RATE <= player.position <= b / RATE


def test_loop_to_the_end_of_the_file_fades_at_the_seam() -> None:
    x = signal(0.5)
    backend = PullBackend()
    with Player(backend=backend, blocksize=BLOCK) as player:
        player.set_sources({"original": array_source(x)})
        player.play(loop=(0.25, 0.5))  # nothing after the loop end to crossfade from
        out = pull(player, backend, 40)
    assert max_jump(out) < 0.01
    assert abs(out[4000 - 1]).max() == 0.0  # the pass faded out completely


def test_pause_and_resume_lose_no_samples(rig: tuple[Player, PullBackend, np.ndarray]) -> None:
    player, backend, x = rig
    player.play(0.2)
    pull(player, backend, 4)
    player.pause()
    assert not player.playing
    fading = pull(player, backend, 1)
    assert not fading[FADE:].any() and max_jump(fading) < 0.01
    held = player.position
    assert held == (3200 + 4 * BLOCK + FADE) / RATE
    assert not pull(player, backend, 3).any() and player.position == held
    player.play()
    resumed = pull(player, backend, 4)
    frame = round(held * RATE)
    expected = x[frame : frame + len(resumed)] * fade_in(len(resumed))
    np.testing.assert_allclose(resumed, expected, atol=1e-6)


def test_stop_returns_to_where_play_began(rig: tuple[Player, PullBackend, np.ndarray]) -> None:
    player, backend, x = rig
    player.play(0.3, loop=(0.3, 0.4))
    pull(player, backend, 10)
    player.stop()
    assert not player.playing and player.position == 0.3
    assert not pull(player, backend, 2)[FADE:].any()
    player.play()  # from the cue point to the end: the loop is gone
    out = pull(player, backend, 12)
    assert np.array_equal(out[FADE:3000], x[4800 + FADE : 4800 + 3000])


def test_play_at_the_end_starts_over_and_empty_ranges_do_nothing(
    rig: tuple[Player, PullBackend, np.ndarray],
) -> None:
    player, backend, x = rig
    player.play(1.0, stop_s=1.0)
    assert not player.playing
    player.seek(player.duration)
    player.play()
    assert player.playing and player.position == 0.0
    out = pull(player, backend, 2)
    assert np.array_equal(out[FADE:], x[FADE : 2 * BLOCK])


def test_the_stream_stops_once_it_has_rested(rig: tuple[Player, PullBackend, np.ndarray]) -> None:
    player, backend, _ = rig
    player.play(0.0, stop_s=0.05)
    pull(player, backend, 4 + round(IDLE_STOP_S * RATE / BLOCK))
    deadline = time.monotonic() + 2.0
    while backend.running and time.monotonic() < deadline:
        time.sleep(0.005)
    assert not backend.running  # no CPU spent rendering silence
    player.play(0.5, stop_s=0.6)
    assert backend.running and backend.starts == 2
    assert pull(player, backend, 2)[FADE:].any()
