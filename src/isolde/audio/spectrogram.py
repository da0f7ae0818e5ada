"""Magnitude spectrograms (dB) of a visible range, computed off the GUI thread.

Cost is bounded by the picture, not by the range: there are at most MAX_COLUMNS columns, and
each column is the average power of at most MAX_WINDOWS_PER_COLUMN FFT windows centred inside
it. A column wider than its windows therefore samples the audio (strided windows) instead of
reading every frame: a 3-hour range costs about what a 3-minute one does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.fft

from isolde.audio.source import AudioSource
from isolde.core.errors import Cancelled
from isolde.core.progress import CancelToken, ProgressFn

MAX_COLUMNS = 2000
MAX_ROWS = 1024
MAX_WINDOWS_PER_COLUMN = 4
# Ranges up to this many frames are read in one go; longer ones window by window.
DENSE_READ_LIMIT = 1 << 22
_BATCH_WINDOWS = 256  # windows per FFT batch: bounded memory, responsive cancel
_POWER_FLOOR = 1e-20  # -200 dB: keeps log10 finite on digital silence


@dataclass(frozen=True)
class SpectrogramRequest:
    """What to compute: frames [start, stop) as `columns` x `rows` (both capped)."""

    start: int
    stop: int
    columns: int
    rows: int = 256
    log_frequency: bool = False
    db_floor: float = -100.0
    db_ceiling: float = 0.0
    fft_size: int | None = None  # None: ~40 ms (~80 ms on a log axis), at least 2 x rows
    min_frequency: float = 20.0  # lowest row on a log axis


@dataclass(frozen=True)
class Spectrogram:
    """`image[row, column]` in dB, clipped to [db_floor, db_ceiling]; row 0 is the lowest
    frequency. Column i covers frames [start + i * (stop - start) / columns, ...)."""

    image: np.ndarray  # float32 (rows, columns)
    frequencies: np.ndarray  # float32 (rows,), the centre frequency of each row, ascending
    start: int
    stop: int
    db_floor: float
    db_ceiling: float
    log_frequency: bool
    fft_size: int

    def colour_indices(self) -> np.ndarray:
        """uint8 (rows, columns): 0 at db_floor, 255 at db_ceiling, for a 256-entry colour map."""
        span = max(self.db_ceiling - self.db_floor, 1e-9)
        scaled = (self.image - np.float32(self.db_floor)) * np.float32(255.0 / span)
        return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def compute_spectrogram(
    source: AudioSource,
    request: SpectrogramRequest,
    *,
    cancel: CancelToken | None = None,
    progress: ProgressFn | None = None,
) -> Spectrogram:
    """The spectrogram of the channel mean (mono) for `request`; raises Cancelled if cancelled."""
    rate = source.sample_rate
    stop = min(max(int(request.stop), 0), source.frames)
    start = min(max(int(request.start), 0), stop)
    n = stop - start
    columns = max(0, min(int(request.columns), MAX_COLUMNS, n))
    rows = max(1, min(int(request.rows), MAX_ROWS))
    size = _fft_size(request, rate, rows)
    frequencies, row_map = _row_map(rows, size, rate, request)
    image = np.full((rows, columns), request.db_floor, np.float32)
    if columns:
        hop = n / columns
        per = int(min(MAX_WINDOWS_PER_COLUMN, max(1, hop // size)))
        offsets = (np.arange(per) + 0.5) / per
        centres = start + ((np.arange(columns)[:, None] + offsets) * hop).astype(np.int64)
        starts = centres.ravel() - size // 2
        reader = _WindowReader(source, starts, size)
        window = np.hanning(size + 2)[1:-1].astype(np.float32)  # no zero end-points
        # A full-scale sine (amplitude 1) peaks at 0 dB.
        norm = np.float32(4.0 / float(window.sum()) ** 2)
        step = max(per, _BATCH_WINDOWS // per * per)
        for first in range(0, len(starts), step):
            if cancel is not None:
                cancel.raise_if_cancelled()
            last = min(first + step, len(starts))
            frames = reader.windows(first, last) * window
            spectrum = scipy.fft.rfft(frames, axis=1)
            power = (spectrum.real**2 + spectrum.imag**2).reshape(-1, per, size // 2 + 1)
            power = power.mean(axis=1) * norm
            cols = slice(first // per, last // per)
            db = 10.0 * np.log10(np.maximum(row_map(power), _POWER_FLOOR))
            image[:, cols] = np.clip(db, request.db_floor, request.db_ceiling).T
            if progress is not None:
                progress(last / len(starts), "computing the spectrogram")
    return Spectrogram(
        image=image,
        frequencies=frequencies,
        start=start,
        stop=stop,
        db_floor=request.db_floor,
        db_ceiling=request.db_ceiling,
        log_frequency=request.log_frequency,
        fft_size=size,
    )


def _fft_size(request: SpectrogramRequest, rate: int, rows: int) -> int:
    if request.fft_size is not None:
        return max(16, int(request.fft_size))
    seconds = 0.08 if request.log_frequency else 0.04
    wanted = max(rate * seconds, 2 * rows, 256)
    return int(min(1 << 15, 1 << int(np.ceil(np.log2(wanted)))))


class _WindowReader:
    """Mono windows [s, s + size) for the given window starts; zeros outside the file."""

    def __init__(self, source: AudioSource, starts: np.ndarray, size: int) -> None:
        self._source, self._starts, self._size = source, starts, size
        self._dense: np.ndarray | None = None
        lo, hi = int(starts[0]), int(starts[-1]) + size
        if hi - lo <= DENSE_READ_LIMIT:
            # Short range: read it once (zero-padded) and index windows out of it.
            self._dense_at = lo
            self._dense = _read_padded(source, lo, hi)

    def windows(self, first: int, last: int) -> np.ndarray:
        starts, size = self._starts[first:last], self._size
        if self._dense is not None:
            idx = (starts - self._dense_at)[:, None] + np.arange(size)
            return self._dense[idx]
        out = np.empty((len(starts), size), np.float32)
        for i, s in enumerate(starts.tolist()):
            out[i] = _read_padded(self._source, s, s + size)
        return out


def _read_padded(source: AudioSource, start: int, stop: int) -> np.ndarray:
    out = np.zeros(stop - start, np.float32)
    a, z = max(start, 0), min(stop, source.frames)
    if z > a:
        out[a - start : z - start] = source.read_mono(a, z)
    return out


RowMap = Callable[[np.ndarray], np.ndarray]


def _row_map(
    rows: int, size: int, rate: int, request: SpectrogramRequest
) -> tuple[np.ndarray, RowMap]:
    """Row centre frequencies and a function mapping (n, bins) power to (n, rows).

    A row spanning several FFT bins takes their maximum (a tone never fades for lack of
    pixels); a row narrower than a bin, low on a log axis, interpolates between bins.
    """
    nyquist = rate / 2
    bins = size // 2 + 1
    df = rate / size
    if request.log_frequency:
        low = min(max(request.min_frequency, df), nyquist / 2)
        edges = np.geomspace(low, nyquist, rows + 1)
        centres = np.sqrt(edges[:-1] * edges[1:])
    else:
        edges = np.linspace(0.0, nyquist, rows + 1)
        centres = (edges[:-1] + edges[1:]) / 2
    first = np.clip(np.ceil(edges[:-1] / df).astype(np.int64), 0, bins)
    end = np.clip(np.ceil(edges[1:] / df).astype(np.int64), 0, bins)
    end[-1] = bins  # the top row keeps the Nyquist bin
    pooled = end > first
    stop_bin = int(end.max())
    at = np.minimum(first, stop_bin - 1)
    pos = centres / df
    i0 = np.clip(np.floor(pos).astype(np.int64), 0, bins - 1)
    i1 = np.minimum(i0 + 1, bins - 1)
    frac = (pos - i0).astype(np.float32)

    def to_rows(power: np.ndarray) -> np.ndarray:
        out = np.maximum.reduceat(power[:, :stop_bin], at, axis=1)
        between = power[:, i0] * (1 - frac) + power[:, i1] * frac
        return np.where(pooled, out, between)

    return centres.astype(np.float32), to_rows


class SpectrogramWorker:
    """Computes one spectrogram on a daemon thread; the UI polls `done` and `result`.

    One worker per request: when the view changes, cancel the old worker and start another.
    """

    def __init__(self, source: AudioSource, request: SpectrogramRequest) -> None:
        self.request = request
        self._source = source
        self._token = CancelToken()
        self._result: Spectrogram | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="spectrogram", daemon=True)

    def start(self) -> SpectrogramWorker:
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._token.cancel()

    @property
    def cancelled(self) -> bool:
        return self._token.cancelled

    @property
    def done(self) -> bool:
        """True once the thread has finished: with a result, an error, or cancelled."""
        return self._thread.ident is not None and not self._thread.is_alive()

    @property
    def result(self) -> Spectrogram | None:
        return self._result

    @property
    def error(self) -> BaseException | None:
        return self._error

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            self._result = compute_spectrogram(self._source, self.request, cancel=self._token)
        except Cancelled:
            pass
        except Exception as exc:  # the UI reads it from `error`
            self._error = exc
