"""PeakPyramid: exact levels for every sample format, envelopes that never lose a peak, the disk
cache, the coarse preview followed by the background pass, and cancelling it."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audio_helpers import FLOAT, PCM, pcm_bytes, quantize, write_wav
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from isolde.audio import open_audio, pyramid_cache, pyramid_levels
from isolde.audio import pyramid as pyramid_module
from isolde.audio.frame_reader import FrameReader
from isolde.audio.peaks import PeakFormat, column_edges
from isolde.audio.pyramid import PeakPyramid
from isolde.audio.source import AudioSource
from isolde.core.errors import AudioFileError

RATE = 8000
SPIKE = 0.99


def make_wav(
    path: Path,
    frames: int,
    channels: int = 2,
    bits: int = 16,
    tag: int = PCM,
    *,
    silent: bool = False,
    seed: int = 0,
) -> tuple[Path, list[tuple[int, int]]]:
    """Noise below 0.5 with single-sample spikes of ±SPIKE; returns the spikes (frame, channel)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((frames, channels)) if silent else rng.uniform(-0.5, 0.5, (frames, channels))
    spikes: list[tuple[int, int]] = []
    if not silent and frames > 1:
        where = {0, frames - 1, 127, 128, 511, frames // 2 + 1, frames // 3 + 7, frames - 130}
        for i, f in enumerate(sorted(w for w in where if 0 <= w < frames)):
            c = i % channels
            x[f, c] = SPIKE if i % 2 else -SPIKE
            spikes.append((f, c))
    data = x.astype("<f4").tobytes() if tag == FLOAT else pcm_bytes(quantize(x, bits), bits)
    write_wav(path, data, tag=tag, channels=channels, rate=RATE, bits=bits)
    return path, spikes


@pytest.fixture
def small_levels(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many levels on small files: the top level may hold at most 8 buckets."""
    monkeypatch.setattr(pyramid_levels, "TOP_BUCKETS", 8)


@pytest.fixture
def background_only(monkeypatch: pytest.MonkeyPatch, small_levels: None) -> None:
    """Nothing computed in open(), and many small steps in the background pass."""
    monkeypatch.setattr(pyramid_module, "SYNC_SAMPLES", 0)
    monkeypatch.setattr(pyramid_module, "CHUNK_BYTES", 1)
    monkeypatch.setattr(pyramid_module, "RAW_LIMIT", 2_000)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, list[int]]]:
    """Holds the background pass before its second step until the event is set."""
    event, calls = threading.Event(), []
    real = pyramid_levels.reduce_block

    def held(block: np.ndarray, sizes: tuple[int, ...], dtype: np.dtype) -> list:
        calls.append(len(block))
        if len(calls) > 1:
            assert event.wait(10)
        return real(block, sizes, dtype)

    monkeypatch.setattr(pyramid_levels, "reduce_block", held)
    yield event, calls
    event.set()


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.002)


def brute_levels(src: AudioSource, pyr: PeakPyramid) -> None:
    truth = src.read()
    for i, size in enumerate(pyr.bucket_sizes):
        lo, hi = pyr.level(i)
        idx = np.arange(0, src.frames, size)
        fmt = PeakFormat.of(src)
        np.testing.assert_array_equal(fmt.to_float(lo), np.minimum.reduceat(truth, idx, axis=0))
        np.testing.assert_array_equal(fmt.to_float(hi), np.maximum.reduceat(truth, idx, axis=0))


def exact_buckets(src, buckets: int, stop: int | None = None):  # type: ignore[no-untyped-def]
    """Per-bucket min and max straight from the samples: the brute-force reference."""
    whole = src.read(0, stop)
    starts = column_edges(0, len(whole), buckets)[:-1]
    return np.minimum.reduceat(whole, starts), np.maximum.reduceat(whole, starts)


def check_envelope(
    pyr: PeakPyramid, truth: np.ndarray, spikes: list[tuple[int, int]], a: int, b: int, cols: int
) -> None:
    lo, hi = pyr.envelope(a, b, cols)
    assert lo.shape == hi.shape == (cols, truth.shape[1]) and lo.dtype == np.float32
    edges = column_edges(a, b, cols)
    # Never less than the column's own frames (a column narrower than a frame: its frame) ...
    exact_lo = np.minimum.reduceat(truth[a:b], edges[:-1] - a, axis=0)
    exact_hi = np.maximum.reduceat(truth[a:b], edges[:-1] - a, axis=0)
    assert np.all(lo <= exact_lo) and np.all(hi >= exact_hi)
    # ... and never more than the frames within one column's width of it.
    reach = 2 * -(-(b - a) // cols) + 1
    near_lo = minimum_filter1d(truth, reach, axis=0)[a:b]
    near_hi = maximum_filter1d(truth, reach, axis=0)[a:b]
    assert np.all(lo >= np.minimum.reduceat(near_lo, edges[:-1] - a, axis=0))
    assert np.all(hi <= np.maximum.reduceat(near_hi, edges[:-1] - a, axis=0))
    for f, c in spikes:
        if a <= f < b:
            col = int(np.searchsorted(edges, f, side="right")) - 1
            shown = hi[col, c] if truth[f, c] > 0 else lo[col, c]
            assert shown == truth[f, c], (a, b, cols, f)


def zoom_ranges(frames: int) -> Iterator[tuple[int, int]]:
    rng = np.random.default_rng(7)
    width = frames
    while width >= 5:
        yield 0, width
        yield frames - width, frames
        start = int(rng.integers(0, frames - width + 1))
        yield start, start + width
        width = width * 2 // 5


FORMATS = [
    pytest.param(16, PCM, 2, id="int16-stereo"),
    pytest.param(32, FLOAT, 1, id="float32-mono"),
    pytest.param(24, PCM, 2, id="int24-stereo"),
    pytest.param(8, PCM, 1, id="uint8-mono"),
    pytest.param(32, PCM, 2, id="int32-stereo"),
]


@pytest.mark.parametrize(("bits", "tag", "channels"), FORMATS)
@pytest.mark.parametrize("mode", ["sync", "background"])
def test_levels_and_envelopes_match_brute_force(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    small_levels: None,
    bits: int,
    tag: int,
    channels: int,
    mode: str,
) -> None:
    if mode == "background":
        monkeypatch.setattr(pyramid_module, "SYNC_SAMPLES", 0)
        monkeypatch.setattr(pyramid_module, "CHUNK_BYTES", 1)
    path, spikes = make_wav(tmp_path / "a.wav", 60_001, channels, bits, tag)
    with open_audio(path) as src:
        pyr = PeakPyramid.open(src, cache=False)
        pyr.start_background()
        assert pyr.wait(10) and pyr.complete and pyr.error is None
        assert len(pyr.bucket_sizes) >= 4
        if bits == 16:
            assert pyr.level(0)[0].dtype == np.int16  # stored compactly
        brute_levels(src, pyr)
        truth = src.read()
        for a, b in zoom_ranges(src.frames):
            for cols in (1600, 37, 1):
                check_envelope(pyr, truth, spikes, a, b, cols)
        np.testing.assert_array_equal(pyr.samples(100, 300), truth[100:300])


@pytest.mark.parametrize(
    ("frames", "silent"),
    [
        pytest.param(50, False, id="shorter-than-a-bucket"),
        pytest.param(20_000, True, id="silent"),
        pytest.param(1, False, id="one-frame"),
    ],
)
def test_tiny_and_silent_files(tmp_path: Path, frames: int, silent: bool) -> None:
    path, spikes = make_wav(tmp_path / "t.wav", frames, 2, silent=silent)
    with open_audio(path) as src:
        pyr = PeakPyramid.open(src)
        assert pyr.complete
        brute_levels(src, pyr)
        truth = src.read()
        check_envelope(pyr, truth, spikes, 0, frames, 1600)
        check_envelope(pyr, truth, spikes, 0, frames, 3)
        lo, hi = pyr.envelope(frames, frames + 10, 100)
        assert lo.shape == hi.shape == (0, 2)
        lo, hi = pyr.envelope(-100, 10**9, 10)  # clipped to the file
        assert lo.shape == (10, 2) and hi.max() == truth.max()
        if silent:
            assert not lo.any() and not hi.any()


def test_envelope_at_high_zoom_reads_samples_and_agrees_with_peaks_envelope(
    tmp_path: Path,
) -> None:
    path, _ = make_wav(tmp_path / "z.wav", 30_000, 2)
    with open_audio(path) as src:
        pyr = PeakPyramid.open(src)
        lo, hi = pyr.envelope(1_000, 1_100, 1600)  # fewer frames than columns
        truth = src.read(1_000, 1_100)
        edges = column_edges(0, 100, 1600)
        np.testing.assert_array_equal(hi, truth[edges[:-1]])
        np.testing.assert_array_equal(lo, truth[edges[:-1]])
        elo, ehi = exact_buckets(src, 300)
        plo, phi = pyr.envelope(0, src.frames, 300)
        assert np.all(plo <= elo) and np.all(phi >= ehi)


def test_cache_is_written_reused_and_damage_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_levels: None
) -> None:
    path, _ = make_wav(tmp_path / "c.wav", 40_000, 2)
    with open_audio(path) as src:
        first = PeakPyramid.open(src)
        files = list(pyramid_cache.peaks_dir().glob("*.peaks"))
        assert len(files) == 1 and not list(pyramid_cache.peaks_dir().glob("*.part"))
        # A cache hit is complete at once, even where a miss would need the background pass.
        monkeypatch.setattr(pyramid_module, "SYNC_SAMPLES", 0)
        again = PeakPyramid.open(src)
        assert again.complete and isinstance(again.level(0)[0], np.memmap)
        for i in range(len(first.bucket_sizes)):
            np.testing.assert_array_equal(again.level(i)[0], first.level(i)[0])
            np.testing.assert_array_equal(again.level(i)[1], first.level(i)[1])
        expected = first.envelope(0, src.frames, 500)
        np.testing.assert_array_equal(again.envelope(0, src.frames, 500)[1], expected[1])
        del again
        monkeypatch.setattr(pyramid_module, "SYNC_SAMPLES", 1 << 24)

        good = files[0].read_bytes()
        top = first.level(len(first.bucket_sizes) - 1)[0].nbytes
        damaged = [
            good[: len(good) // 2],  # short
            b"XXXX" + good[4:],  # bad magic
            good[:20] + b"{" + good[21:],  # bad header
            good[: -2 * top] + b"\x7f" * top + b"\x80" * top,  # top level min > max
            good + b"\0",  # too long
        ]
        for bad in damaged:
            files[0].write_bytes(bad)
            rebuilt = PeakPyramid.open(src)
            assert not isinstance(rebuilt.level(0)[0], np.memmap)
            np.testing.assert_array_equal(rebuilt.envelope(0, src.frames, 500)[0], expected[0])
            assert files[0].read_bytes() == good  # rewritten

        # Touching the file changes its key; cache=False writes nothing.
        os.utime(path, ns=(1, 1))
        PeakPyramid.open(src, cache=False)
        assert len(list(pyramid_cache.peaks_dir().glob("*.peaks"))) == 1
    with open_audio(path) as src:
        PeakPyramid.open(src)
    assert len(list(pyramid_cache.peaks_dir().glob("*.peaks"))) == 2


def test_coarse_preview_first_then_background_fills_in(
    tmp_path: Path, background_only: None, gate: tuple[threading.Event, list[int]]
) -> None:
    event, calls = gate
    path, spikes = make_wav(tmp_path / "b.wav", 200_000, 2)
    with open_audio(path) as src:
        truth = src.read()
        pyr = PeakPyramid.open(src)
        assert not pyr.complete and pyr.filled_frames == 0
        top = pyr.bucket_sizes[-1]
        assert pyr.envelope(0, src.frames, 1600)[0].shape == (1600, 2)
        # The preview draws the whole file at once; sampled, so never beyond the true peaks.
        lo, hi = pyr.envelope(0, 6 * top, 6)  # one top-level bucket per column
        true_lo, true_hi = exact_buckets(src, 6, stop=6 * top)
        assert np.all(lo >= true_lo) and np.all(hi <= true_hi)
        assert np.all(hi > 0.3) and np.all(lo < -0.3)
        # Short ranges are exact even now: they come from the samples.
        check_envelope(pyr, truth, spikes, 100_000, 101_000, 400)

        ready: list[str] = []
        fractions: list[float] = []
        pyr.start_background(
            on_ready=lambda: ready.append(threading.current_thread().name),
            progress=lambda f, _m: fractions.append(f),
        )
        wait_for(lambda: len(calls) >= 2)  # one step done, the next one held
        assert pyr.filled_frames == calls[0] == top and not pyr.complete and not ready
        # Columns the pass has covered are exact already; the rest come from the preview.
        lo, hi = pyr.envelope(0, src.frames, 100)
        done = column_edges(0, src.frames, 100)[1:] <= top
        assert 0 < done.sum() < 100

        event.set()
        assert pyr.wait(10) and pyr.complete and pyr.error is None
        assert ready == ["peak-pyramid"] and fractions[-1] == 1.0
        assert fractions == sorted(fractions)
        brute_levels(src, pyr)
        final_lo, final_hi = pyr.envelope(0, src.frames, 100)
        np.testing.assert_array_equal(lo[done], final_lo[done])
        np.testing.assert_array_equal(hi[done], final_hi[done])
        check_envelope(pyr, truth, spikes, 0, src.frames, 1600)
        assert len(list(pyramid_cache.peaks_dir().glob("*.peaks"))) == 1
        called: list[int] = []
        pyr.start_background(on_ready=lambda: called.append(1))  # already complete: at once
        assert called == [1]


def test_envelope_is_safe_while_the_background_pass_runs(
    tmp_path: Path, background_only: None
) -> None:
    path, _ = make_wav(tmp_path / "h.wav", 300_000, 2)
    with open_audio(path) as src:
        low, high = src.read().min(axis=0), src.read().max(axis=0)
        pyr = PeakPyramid.open(src, cache=False)
        pyr.start_background()
        rng = np.random.default_rng(3)
        while not pyr.complete:
            a = int(rng.integers(0, src.frames - 10))
            b = int(rng.integers(a + 1, src.frames + 1))
            lo, hi = pyr.envelope(a, b, 1600)
            assert np.all(lo <= hi) and np.all(lo >= low) and np.all(hi <= high)
        assert pyr.wait(10)
        brute_levels(src, pyr)


def test_cancel_stops_the_pass_and_it_can_resume(
    tmp_path: Path, background_only: None, gate: tuple[threading.Event, list[int]]
) -> None:
    event, calls = gate
    path, _ = make_wav(tmp_path / "k.wav", 200_000, 2)
    with open_audio(path) as src:
        pyr = PeakPyramid.open(src)
        ready: list[int] = []
        pyr.start_background(on_ready=lambda: ready.append(1))
        wait_for(lambda: len(calls) >= 2)
        pyr.cancel()
        event.set()
        assert pyr.wait(10)
        assert not pyr.complete and not ready and pyr.error is None
        # The held step finishes; the pass stops before the next one.
        assert pyr.filled_frames == 2 * calls[0] < src.frames
        assert not list(pyramid_cache.peaks_dir().glob("*.peaks"))
        steps, left = len(calls), src.frames - pyr.filled_frames
        pyr.start_background(on_ready=lambda: ready.append(2))
        assert pyr.wait(10) and pyr.complete and ready == [2]
        assert len(calls) - steps == -(-left // calls[0])  # resumed, not restarted
        brute_levels(src, pyr)
        assert len(list(pyramid_cache.peaks_dir().glob("*.peaks"))) == 1


def test_a_file_truncated_under_the_pass_reports_an_error(
    tmp_path: Path, background_only: None
) -> None:
    path, _ = make_wav(tmp_path / "e.wav", 200_000, 2)
    with open_audio(path) as src:
        pyr = PeakPyramid.open(src)
        os.truncate(path, 100_000)
        ready: list[int] = []
        pyr.start_background(on_ready=lambda: ready.append(1))
        assert pyr.wait(10) and ready == [1] and not pyr.complete
        assert isinstance(pyr.error, AudioFileError) and "truncated" in str(pyr.error)
        assert not list(pyramid_cache.peaks_dir().glob("*.peaks"))


def test_sources_without_a_file_are_not_cached(small_levels: None) -> None:
    from isolde.audio.info import AudioInfo

    data = np.linspace(-1, 1, 10_000, dtype=np.float32).reshape(-1, 1)
    src = AudioSource(AudioInfo("/nonexistent/x.wav", RATE, 1, 10_000, "WAV", "FLOAT"), data)
    pyr = PeakPyramid.open(src)
    assert pyr.complete and not pyramid_cache.peaks_dir().exists()
    brute_levels(src, pyr)


@pytest.mark.parametrize("kind", ["int16", "int24", "flac"])
def test_the_pass_reads_files_not_the_memory_map(tmp_path: Path, kind: str) -> None:
    # Streaming a long file through its map would make all of it resident memory.
    if kind == "flac":
        data = np.random.default_rng(2).uniform(-0.5, 0.5, (30_000, 2))
        path = tmp_path / "d.flac"
        sf.write(path, data, RATE, subtype="PCM_16")
    else:
        path, _ = make_wav(tmp_path / "m.wav", 30_000, 2, 24 if kind == "int24" else 16)
    with open_audio(path) as src:
        reader = FrameReader(src, PeakFormat.of(src))
        try:
            assert reader._file is not None
            np.testing.assert_array_equal(
                PeakFormat.of(src).to_float(reader.read(1_000, 9_000)), src.read(1_000, 9_000)
            )
        finally:
            reader.close()
        pyr = PeakPyramid.open(src)
        brute_levels(src, pyr)
