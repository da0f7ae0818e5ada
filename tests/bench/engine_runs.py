"""What the offline-engine benchmark runs on each mixture: the engine itself (through real files,
as a user's job would, once per method the provider declares), the DeepFilterNet network alone,
noisereduce as the reference, and an ideal mask as the ceiling."""

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

# Methods that separate a voice from its background; `hum` makes the hum the target instead.
NOT_FOR_SPEECH = ("auto", "hum")
PREFERRED_ORDER = ("neural", "speech", "spectral")


def declared_methods() -> tuple[str, ...]:
    """The explicit `method` choices the provider declares for separating a voice, in a stable
    order (`neural` first when it exists): what the benchmark runs beside `auto`."""
    spec = next(o for o in LocalProvider.capabilities.options if o.name == "method")
    names = [str(c) for c in spec.choices if c not in NOT_FOR_SPEECH]
    return tuple(
        sorted(names, key=lambda m: PREFERRED_ORDER.index(m) if m in PREFERRED_ORDER else 9)
    )


def run_engine(
    mix: np.ndarray,
    exclude_s: list[tuple[float, float]],
    options: dict[str, Any] | None = None,
    rate: int = RATE,
    subtype: str = "FLOAT",
) -> tuple[np.ndarray, dict[str, Any], float]:
    """(target as float64, result details plus `endpoint`, wall seconds) for one file run through
    the provider."""
    with tempfile.TemporaryDirectory(prefix="isolde-bench-") as tmp:
        path = Path(tmp) / "mix.wav"
        sf.write(path, np.asarray(mix, dtype=np.float32), rate, subtype=subtype)
        spans = tuple(Span(a, b, include=False) for a, b in exclude_s)
        request = Request(RequestKind.SPANS, str(path), spans=spans, options=options or {})
        started = time.perf_counter()
        result = LocalProvider().run(request, Path(tmp) / "job")
        seconds = time.perf_counter() - started
        target, _ = sf.read(result.files["target"], dtype="float64", always_2d=True)
    details = dict(result.details) | {"endpoint": result.endpoint}
    return (target[:, 0] if target.shape[1] == 1 else target), details, seconds


def chosen_method(auto: np.ndarray, details: dict[str, Any], runs: dict[str, np.ndarray]) -> str:
    """Which method `auto` ran: the explicit run whose output it matches sample for sample, else
    a method named in its endpoint or details, else the endpoint itself."""
    for method, out in runs.items():
        if out.shape == auto.shape and np.max(np.abs(out - auto)) < 1e-6:
            return method
    said = f"{details.get('endpoint', '')} {details.get('method', '')}".lower()
    named = [m for m in runs if m in said]
    return named[0] if len(named) == 1 else str(details.get("endpoint", "?"))


def run_network_alone(mix: np.ndarray) -> np.ndarray:
    """The DeepFilterNet3 network on the mono mixture, spans ignored: what the network does
    without the engine's fusion."""
    from isolde.dsp.deepfilter import Denoiser

    denoiser = Denoiser()
    head, _ = denoiser.process(mix)
    tail, _ = denoiser.flush()
    denoiser.close()
    return np.concatenate([head, tail])


def network_available() -> bool:
    try:
        from isolde.dsp.deepfilter import available
    except ImportError:
        return False
    return available()


def run_noisereduce(mx: Mixture) -> np.ndarray:
    """noisereduce, stationary, given the exclude spans' audio as its noise clip (its defaults
    otherwise): how a podcast editor's usual tool does with the same marks. Without spans it
    estimates the noise from the whole file, as it does by default."""
    import noisereduce

    spans = mx.exclude_samples()
    noise = np.concatenate([mx.mix[a:b] for a, b in spans]) if spans else None
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
