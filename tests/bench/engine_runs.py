"""What the offline-engine benchmark runs on each mixture: the engine itself (through real files,
as a user's job would), noisereduce as the reference, and an ideal mask as the ceiling."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from mixtures import RATE, Mixture

from isolde.core.spans import Span
from isolde.providers.base import Request, RequestKind
from isolde.providers.local import LocalProvider


def run_engine(
    mix: np.ndarray,
    exclude_s: list[tuple[float, float]],
    options: dict[str, Any] | None = None,
    rate: int = RATE,
    subtype: str = "FLOAT",
) -> tuple[np.ndarray, dict[str, Any], float]:
    """(target as float64, result details, wall seconds) for one file run through the provider."""
    with tempfile.TemporaryDirectory(prefix="isolde-bench-") as tmp:
        path = Path(tmp) / "mix.wav"
        sf.write(path, np.asarray(mix, dtype=np.float32), rate, subtype=subtype)
        spans = tuple(Span(a, b, include=False) for a, b in exclude_s)
        request = Request(RequestKind.SPANS, str(path), spans=spans, options=options or {})
        started = time.perf_counter()
        result = LocalProvider().run(request, Path(tmp) / "job")
        seconds = time.perf_counter() - started
        target, _ = sf.read(result.files["target"], dtype="float64", always_2d=True)
    return (target[:, 0] if target.shape[1] == 1 else target), dict(result.details), seconds


def run_noisereduce(mx: Mixture) -> np.ndarray:
    """noisereduce, stationary, given the exclude spans' audio as its noise clip (its defaults
    otherwise): how a podcast editor's usual tool does with the same marks."""
    import noisereduce

    noise = np.concatenate([mx.mix[a:b] for a, b in mx.exclude_samples()])
    return noisereduce.reduce_noise(y=mx.mix, sr=RATE, y_noise=noise, stationary=True)


def _stft(x: np.ndarray, n: int, hop: int) -> np.ndarray:
    window = np.hanning(n + 1)[:n]
    padded = np.concatenate([np.zeros(n), x, np.zeros(n)])
    frames = np.lib.stride_tricks.sliding_window_view(padded, n)[::hop]
    return np.fft.rfft(frames * window, axis=-1)


def _istft(spec: np.ndarray, n: int, hop: int, length: int) -> np.ndarray:
    window = np.hanning(n + 1)[:n]
    frames = np.fft.irfft(spec, n=n, axis=-1) * window
    out = np.zeros((len(frames) - 1) * hop + n)
    norm = np.zeros_like(out)
    for i, f in enumerate(frames):
        out[i * hop : i * hop + n] += f
        norm[i * hop : i * hop + n] += window**2
    return (out / np.maximum(norm, 1e-12))[n : n + length]


def run_ideal_mask(mx: Mixture, n: int = 6144, hop: int = 1536) -> np.ndarray:
    """The oracle Wiener mask |S|²/(|S|²+|B|²) from the true speech and background, on the
    engine's speech frames (128 ms at 48 kHz): a ceiling for a mask on that grid (not reachable
    without knowing the answer). On 43 ms frames it is lower: 15.4 / 13.5 dB at 0 dB."""
    s = np.abs(_stft(mx.speech, n, hop)) ** 2
    b = np.abs(_stft(mx.background, n, hop)) ** 2
    mask = s / (s + b + 1e-20)
    return _istft(_stft(mx.mix, n, hop) * mask, n, hop, len(mx.mix))
