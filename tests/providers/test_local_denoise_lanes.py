"""The denoiser's estimate made in fixed pieces by several lanes: the plan covers the file, the
stitcher drops warm-ups and fades each piece in over the last, the estimate does not depend on
how many workers made it or how it is read, and it stays close to one long-running state's."""

from __future__ import annotations

import builtins
import itertools
import multiprocessing as mp

import numpy as np
import pytest

from isolde.dsp import deepfilter, denoise_lanes, denoised_stream, rnnoise
from isolde.dsp.denoise_lanes import Piece, Stitcher, plan
from isolde.dsp.denoise_worker import denoise_whole
from isolde.dsp.denoised_stream import DenoisedStream
from isolde.dsp.sources import ArraySource

RATE = 48_000


@pytest.fixture
def short_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces of 1 s, 0.3 s of warm-up, 0.2 s of fade: many seams in a few seconds."""
    monkeypatch.setattr(denoise_lanes, "PIECE_S", 1.0)
    monkeypatch.setattr(denoise_lanes, "WARM_S", 0.3)
    monkeypatch.setattr(denoise_lanes, "FADE_S", 0.2)


@pytest.mark.parametrize("total", [1, 47_999, 48_000, 48_001, 3 * 48_000 + 5])
def test_the_plan_covers_the_file_once_with_warm_ups_and_fades_inside_it(
    short_pieces: None, total: int
) -> None:
    pieces = plan(total, RATE)
    assert pieces[0].start == 0 and pieces[-1].stop == total
    for before, after in itertools.pairwise(pieces):
        assert before.stop == after.start
        assert after.first == max(0, after.start - int(0.3 * RATE))
        assert before.last == min(total, before.stop + int(0.2 * RATE))
    assert all(0 <= p.first <= p.start < p.stop <= p.last <= total for p in pieces)
    assert plan(0, RATE) == []


def test_the_stitcher_drops_the_warm_up_and_fades_each_piece_in_over_the_last() -> None:
    pieces = [Piece(0, 10, 0, 14), Piece(10, 20, 6, 24), Piece(20, 26, 16, 26)]
    stitcher, out = Stitcher(), []
    for k, piece in enumerate(pieces):
        stitcher.begin(piece)
        values = np.full(piece.last - piece.first, float(k + 1), dtype=np.float32)
        for a in range(0, len(values), 3):  # blocks of any size
            out.append(stitcher.take(values[a : a + 3]))
        stitcher.end()
    y = np.concatenate(out)
    assert len(y) == 26
    np.testing.assert_array_equal(y[:10], 1.0)
    np.testing.assert_array_equal(y[14:20], 2.0)
    np.testing.assert_array_equal(y[24:], 3.0)
    for lo, hi in ((10, 14), (20, 24)):  # a rising mix from the old piece to the new
        fade = y[lo:hi]
        assert np.all(np.diff(fade) > 0)
        assert y[lo - 1] < fade[0] and fade[-1] < y[hi]


@pytest.mark.skipif(not rnnoise.available(), reason="pyrnnoise is not installed")
def test_the_estimate_is_the_same_inline_or_in_any_number_of_workers_and_in_any_reads(
    sig, short_pieces: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    mix = sig.voice(3.5, 44_100, 5)[:, None] * [1.0, 0.5]
    source = ArraySource(mix, 44_100)
    with DenoisedStream(source, use_process=False) as inline:
        whole = inline.read(-100, source.frames + 100)
    for lanes in (1, 2, 3):
        monkeypatch.setattr(denoised_stream, "lane_count", lambda pieces, n=lanes: n)
        with DenoisedStream(source, use_process=True) as workers:
            parts = [workers.read(a, a + 7000) for a in range(-100, source.frames + 100, 6000)]
            assert len(workers._lanes) == lanes
        np.testing.assert_array_equal(
            np.concatenate([p[:6000] for p in parts])[: len(whole)], whole
        )
    assert not whole[:100].any() and not whole[-100:].any()
    assert not [p for p in mp.active_children() if p.name.startswith("isolde-")]


@pytest.mark.skipif(not deepfilter.available(), reason=deepfilter.unavailable_reason())
def test_pieces_stay_close_to_one_long_running_state(sig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(denoise_lanes, "PIECE_S", 2.0)  # the shipped warm-up and fade
    speech = sig.speech(9.0, RATE, 3)
    noise = sig.pink(len(speech), 1, 4)[:, 0]
    noise *= np.sqrt(np.mean(speech**2) / np.mean(noise**2))  # 0 dB
    mix = (speech + noise)[:, None]
    source = ArraySource(mix, RATE)
    with DenoisedStream(source, use_process=False, backend="deepfilter") as stream:
        gain = stream.gain
        pieced = stream.read(0, source.frames)
    one = denoise_whole((mix[:, 0] * gain).astype(np.float32), RATE, "deepfilter") / gain
    diff = pieced - one
    assert 10 * np.log10(np.sum(one**2) / np.sum(diff**2)) > 15
    # No step at a seam: around each, the difference is no larger than elsewhere.
    for seam in range(2 * RATE, len(one), 2 * RATE):
        near = diff[seam - 2400 : seam + 2400]
        assert np.sqrt(np.mean(near**2)) < 3 * np.sqrt(np.mean(diff**2))
    assert sig.si_sdr(pieced, speech) > sig.si_sdr(mix[:, 0], speech) + 6


@pytest.mark.skipif(not rnnoise.available(), reason="pyrnnoise is not installed")
def test_a_worker_that_cannot_start_leaves_the_work_to_this_process(
    sig, short_pieces: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    mix = sig.voice(2.5, RATE, 2)[:, None]
    source = ArraySource(mix, RATE)
    with DenoisedStream(source, use_process=False) as inline:
        expected = inline.read(0, source.frames)

    class NoWorker:  # the spawned process runs print(...) and ends without an answer
        serve = builtins.print

    monkeypatch.setattr(denoise_lanes, "denoise_worker", NoWorker)
    with DenoisedStream(source, use_process=True) as stream:
        np.testing.assert_array_equal(stream.read(0, source.frames), expected)
