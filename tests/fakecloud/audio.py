"""The fake engines' "models": a fixed spectral split and a deterministic inpainting.

target = everything below CUTOFF_HZ, residual = input − target, so target + residual = input
(to float precision) and the split is easy to check in a test.
"""

from __future__ import annotations

import io
import math
import tempfile
from pathlib import Path

import av
import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

CUTOFF_HZ = 500.0
SAM_RATE = 48_000


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Any audio (or a video's audio) as float64 (n, channels) and its rate."""
    try:
        samples, rate = sf.read(io.BytesIO(data), dtype="float64", always_2d=True)
        return samples, rate
    except Exception:  # not a soundfile format: try FFmpeg
        pass
    with tempfile.NamedTemporaryFile(suffix=".bin") as tmp:
        tmp.write(data)
        tmp.flush()
        with av.open(tmp.name) as container:
            stream = container.streams.audio[0]
            rate = stream.rate
            blocks = [f.to_ndarray() for f in container.decode(stream)]
    planar = np.concatenate(blocks, axis=1) if blocks[0].ndim == 2 else np.concatenate(blocks)
    if planar.ndim == 1:
        planar = planar[None, :]
    return planar.T.astype(np.float64), rate


def to_rate(x: np.ndarray, rate: int, to: int) -> np.ndarray:
    if rate == to:
        return x
    g = math.gcd(rate, to)
    return resample_poly(x, to // g, rate // g, axis=0)


def low_band(mono: np.ndarray, rate: int) -> np.ndarray:
    spectrum = np.fft.rfft(mono)
    freqs = np.fft.rfftfreq(len(mono), 1.0 / rate)
    spectrum[freqs > CUTOFF_HZ] = 0
    return np.fft.irfft(spectrum, len(mono))


def split(
    samples: np.ndarray, rate: int, *, to_48k: bool = True
) -> tuple[np.ndarray, np.ndarray, int]:
    """(target, residual, rate): mono, at 48 kHz like SAM Audio unless told otherwise."""
    mono = samples.mean(axis=1)
    out_rate = SAM_RATE if to_48k else rate
    mono = to_rate(mono, rate, out_rate)
    target = low_band(mono, out_rate)
    return target, mono - target, out_rate


def inpaint(samples: np.ndarray, rate: int, start: float, end: float, seed: int) -> np.ndarray:
    out = samples.copy()
    a, b = int(start * rate), min(int(end * rate), len(out))
    rng = np.random.default_rng(seed)
    out[a:b] = rng.standard_normal((b - a, out.shape[1])) * 0.01
    return out


def encode(samples: np.ndarray, rate: int, fmt: str) -> tuple[bytes, str, str]:
    """(bytes, content type, extension)."""
    buf = io.BytesIO()
    data = np.asarray(samples, dtype=np.float32)
    if fmt == "wav":
        sf.write(buf, data, rate, format="WAV", subtype="FLOAT")
        return buf.getvalue(), "audio/wav", ".wav"
    if fmt == "flac":
        sf.write(buf, np.clip(data, -1, 1), rate, format="FLAC", subtype="PCM_24")
        return buf.getvalue(), "audio/flac", ".flac"
    if fmt == "mp3":
        sf.write(buf, np.clip(data, -1, 1), rate, format="MP3")
        return buf.getvalue(), "audio/mpeg", ".mp3"
    if fmt in ("ogg", "opus"):
        subtype = "OPUS" if fmt == "opus" else "VORBIS"
        if fmt == "opus" and rate != SAM_RATE:
            data, rate = to_rate(data, rate, SAM_RATE).astype(np.float32), SAM_RATE
        sf.write(buf, np.clip(data, -1, 1), rate, format="OGG", subtype=subtype)
        return buf.getvalue(), f"audio/{fmt}", f".{fmt}"
    raise ValueError(f"the fake cannot write {fmt}")


def save(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path
