"""The spectrogram view of the visible range, computed on a worker thread.

While a new range is computed, the previous image stays in place at its own times, so zooming and
scrolling never show a blank timeline.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, QTimer, Signal

from isolde.audio import AudioSource
from isolde.audio.spectrogram import SpectrogramRequest, SpectrogramWorker
from isolde.audio.spectrogram_colours import spectrogram_colours

POLL_MS = 30
MAX_COLUMNS = 2000


class SpectrogramLayer(QObject):
    shown = Signal()  # a new image is in place (its frequency range may have changed)

    def __init__(self, plot: pg.PlotItem) -> None:
        super().__init__()
        self.plot = plot
        self.source: AudioSource | None = None
        self.enabled = False
        self.log_frequency = False
        self.extent = (-1.0, 1.0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(spectrogram_colours())
        self.image.setZValue(-20)
        self.image.hide()
        plot.addItem(self.image)
        self._worker: SpectrogramWorker | None = None
        self._wanted: SpectrogramRequest | None = None
        self._shown: SpectrogramRequest | None = None
        self._scale: tuple[float, float, bool] | None = None  # of the image on screen
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)

    def set_source(self, source: AudioSource | None) -> None:
        self._cancel()
        self.source = source
        self._shown = None
        self._scale = None
        self.image.clear()

    def set_extent(self, extent: tuple[float, float]) -> None:
        self.extent = extent

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self.image.setVisible(on)
        if not on:
            self._cancel()

    def set_log_frequency(self, on: bool) -> None:
        self.log_frequency = on
        self._shown = None

    def frequency_scale(self) -> tuple[float, float, bool]:
        """(lowest Hz, highest Hz, log) from the image's bottom edge to its top: the image on
        screen, or the one asked for while none is."""
        if self._scale is not None:
            return self._scale
        nyquist = (self.source.sample_rate if self.source else 48_000) / 2
        if not self.log_frequency:
            return (0.0, nyquist, False)
        return (min(SpectrogramRequest(0, 0, 1).min_frequency, nyquist / 2), nyquist, True)

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def refresh(self, x0: float, x1: float, columns: int) -> None:
        if not self.enabled or self.source is None:
            return
        rate = self.source.sample_rate
        start = max(0, int(x0 * rate))
        stop = min(self.source.frames, int(x1 * rate) + 1)
        if stop - start < 2:
            return
        request = SpectrogramRequest(
            start,
            stop,
            min(max(1, columns), MAX_COLUMNS),
            rows=256,
            log_frequency=self.log_frequency,
        )
        if request in (self._shown, self._wanted):
            return
        self._cancel()
        self._wanted = request
        self._worker = SpectrogramWorker(self.source, request).start()
        self._timer.start()

    def _cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        self._worker = None
        self._wanted = None
        self._timer.stop()

    def _poll(self) -> None:
        worker = self._worker
        if worker is None or not worker.done:
            return
        self._timer.stop()
        self._worker = None
        request, self._wanted = self._wanted, None
        result = worker.result
        if result is None or request is None or self.source is None:
            return
        rate = self.source.sample_rate
        y0, y1 = self.extent
        self.image.setImage(result.colour_indices(), levels=(0, 255), autoLevels=False)
        self.image.setRect(
            QRectF(result.start / rate, y0, (result.stop - result.start) / rate, y1 - y0)
        )
        self._shown = request
        nyquist = rate / 2
        low = _low_edge(result.frequencies) if result.log_frequency else 0.0
        self._scale = (low if low is not None else 20.0, nyquist, result.log_frequency)
        self.shown.emit()


def _low_edge(centres: np.ndarray) -> float | None:
    """The bottom edge of geometrically spaced rows, from their centres."""
    if len(centres) < 2 or centres[0] <= 0:
        return None
    return float(centres[0]) / float(np.sqrt(centres[1] / centres[0]))
