"""Spectrograms: tones land in the right row on both axes, the picture's size is bounded, long
ranges are sampled, and a worker can be cancelled. Also the colour map."""

from __future__ import annotations

import numpy as np
import pytest

from isolde.audio import spectrogram as spec_module
from isolde.audio.info import AudioInfo
from isolde.audio.source import AudioSource
from isolde.audio.spectrogram import (
    MAX_COLUMNS,
    Spectrogram,
    SpectrogramRequest,
    SpectrogramWorker,
    compute_spectrogram,
)
from isolde.audio.spectrogram_colours import spectrogram_colours
from isolde.core.errors import Cancelled
from isolde.core.progress import CancelToken

RATE = 48_000


def tones(seconds: float, freqs: tuple[float, ...], amp: float = 0.5) -> AudioSource:
    """One sine per channel (a single frequency: mono)."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    data = np.stack([amp * np.sin(2 * np.pi * f * t) for f in freqs], axis=1).astype(np.float32)
    return AudioSource(AudioInfo("mem.wav", RATE, len(freqs), n, "WAV", "FLOAT"), data)


def loudest_row_hz(result: Spectrogram) -> float:
    return float(result.frequencies[int(np.argmax(result.image.mean(axis=1)))])


def row_width_at(result: Spectrogram, row: int) -> float:
    f = result.frequencies
    return float(f[min(row + 1, len(f) - 1)] - f[max(row - 1, 0)])


@pytest.mark.parametrize("log", [False, True], ids=["linear", "log"])
@pytest.mark.parametrize("freq", [220.0, 1000.0, 7000.0])
def test_a_tone_peaks_in_its_row(log: bool, freq: float) -> None:
    src = tones(5.0, (freq,))
    result = compute_spectrogram(src, SpectrogramRequest(0, src.frames, 800, 200, log))
    assert result.image.shape == (200, 800) and result.image.dtype == np.float32
    assert result.frequencies.shape == (200,)
    assert np.all(np.diff(result.frequencies) > 0)  # row 0 is the lowest frequency
    row = int(np.argmax(result.image.mean(axis=1)))
    assert abs(loudest_row_hz(result) - freq) <= row_width_at(result, row)
    # A 0.5 sine is about -6 dB (Hann scalloping can take up to 1.5 dB more); clipped range.
    assert -8.0 < result.image.max() <= 0.0 and result.image.min() >= -100.0
    if log:
        ratios = result.frequencies[1:] / result.frequencies[:-1]
        np.testing.assert_allclose(ratios, ratios[0], rtol=1e-4)  # evenly spaced in log


def test_channels_are_mixed_and_both_tones_show() -> None:
    src = tones(3.0, (500.0, 3000.0))
    result = compute_spectrogram(src, SpectrogramRequest(0, src.frames, 300, 256))
    profile = result.image.mean(axis=1)
    top_two = sorted(result.frequencies[np.argsort(profile)[-2:]])
    assert abs(top_two[0] - 500) < 100 and abs(top_two[1] - 3000) < 100


def test_column_count_is_bounded_and_follows_the_range() -> None:
    src = tones(10.0, (1000.0,))
    wide = compute_spectrogram(src, SpectrogramRequest(0, src.frames, 50_000, 64))
    assert wide.image.shape == (64, MAX_COLUMNS)
    tiny = compute_spectrogram(src, SpectrogramRequest(1000, 1050, 1600, 64))
    assert tiny.image.shape == (64, 50) and (tiny.start, tiny.stop) == (1000, 1050)
    clipped = compute_spectrogram(src, SpectrogramRequest(-500, 10**9, 100, 4000))
    assert clipped.image.shape == (spec_module.MAX_ROWS, 100)
    assert (clipped.start, clipped.stop) == (0, src.frames)
    empty = compute_spectrogram(src, SpectrogramRequest(src.frames, src.frames + 9, 100, 32))
    assert empty.image.shape == (32, 0)


def test_long_ranges_sample_strided_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    # A chirp rising over the range: each column must show the frequency of its own moment.
    n = 60 * RATE
    t = np.arange(n) / RATE
    f0, f1 = 200.0, 8000.0
    phase = 2 * np.pi * (f0 * t + (f1 - f0) * t * t / (2 * 60))
    data = (0.5 * np.sin(phase)).astype(np.float32)[:, None]
    src = AudioSource(AudioInfo("mem.wav", RATE, 1, n, "WAV", "FLOAT"), data)
    reads: list[int] = []
    real_read = src.read_mono

    def counting(start: int = 0, stop: int | None = None) -> np.ndarray:
        block = real_read(start, stop)
        reads.append(len(block))
        return block

    monkeypatch.setattr(src, "read_mono", counting)
    monkeypatch.setattr(spec_module, "DENSE_READ_LIMIT", 10_000)
    result = compute_spectrogram(src, SpectrogramRequest(0, n, 120, 256))
    assert sum(reads) <= 120 * spec_module.MAX_WINDOWS_PER_COLUMN * result.fft_size < n / 2
    peaks = result.frequencies[np.argmax(result.image, axis=0)]
    expected = f0 + (f1 - f0) * (np.arange(120) + 0.5) / 120
    assert np.all(np.abs(peaks - expected) < 250)


def test_silence_sits_at_the_floor_and_colour_indices_span_the_map() -> None:
    silent = AudioSource(
        AudioInfo("mem.wav", RATE, 1, RATE, "WAV", "FLOAT"), np.zeros((RATE, 1), np.float32)
    )
    result = compute_spectrogram(silent, SpectrogramRequest(0, RATE, 100, 64, db_floor=-90.0))
    assert np.all(result.image == -90.0) and not result.colour_indices().any()
    loud = compute_spectrogram(tones(1.0, (1000.0,), 1.0), SpectrogramRequest(0, RATE, 50, 64))
    idx = loud.colour_indices()
    assert idx.dtype == np.uint8 and idx.max() >= 250 and idx.min() == 0


def test_cancel_and_the_worker() -> None:
    src = tones(5.0, (1000.0,))
    request = SpectrogramRequest(0, src.frames, 400, 128)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        compute_spectrogram(src, request, cancel=token)

    worker = SpectrogramWorker(src, request)
    assert not worker.done
    worker.start()
    assert worker.wait(10) and worker.done and worker.error is None
    assert worker.result is not None and worker.result.image.shape == (128, 400)

    cancelled = SpectrogramWorker(src, request)
    cancelled.cancel()
    cancelled.start()
    assert cancelled.wait(10) and cancelled.done and cancelled.cancelled
    assert cancelled.result is None and cancelled.error is None

    closed = tones(1.0, (440.0,))
    closed.close()
    failing = SpectrogramWorker(closed, request).start()
    assert failing.wait(10) and failing.result is None and isinstance(failing.error, ValueError)


def test_colour_map_is_opaque_and_brightens_steadily() -> None:
    table = spectrogram_colours()
    assert table.shape == (256, 4) and table.dtype == np.uint8
    assert np.all(table[:, 3] == 255)
    luma = table[:, :3].astype(float) @ np.array([0.2126, 0.7152, 0.0722])
    assert np.all(np.diff(luma) > 0)
    assert luma[0] < 10 and luma[-1] > 230  # dark floor, light ceiling: contrast on any theme
