"""Signals and hand-built media files for the audio tests (nothing is shipped as a fixture)."""

from __future__ import annotations

import struct
from pathlib import Path

import av
import numpy as np

PCM, FLOAT, EXTENSIBLE = 0x0001, 0x0003, 0xFFFE
_GUID_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"


def tone(frames: int, rate: int, channels: int = 2, amp: float = 0.5) -> np.ndarray:
    """A chirp-plus-sines test signal, float32 (frames, channels), distinct per channel."""
    t = np.arange(frames) / rate
    cols = [amp * np.sin(2 * np.pi * (220 * (c + 1) * t + 150 * t * t)) for c in range(channels)]
    return np.stack(cols, axis=1).astype(np.float32)


def quantize(x: np.ndarray, bits: int) -> np.ndarray:
    """Integer samples for `bits`-bit PCM (what a file stores)."""
    full = 2 ** (bits - 1)
    return np.clip(np.rint(x * full), -full, full - 1).astype(np.int64)


def pcm_bytes(ints: np.ndarray, bits: int) -> bytes:
    """Interleaved little-endian PCM; 8-bit is unsigned as WAV requires."""
    flat = ints.reshape(-1)
    if bits == 8:
        return (flat + 128).astype(np.uint8).tobytes()
    if bits == 24:
        b = flat.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3]
        return b.tobytes()
    return flat.astype({16: "<i2", 32: "<i4"}[bits]).tobytes()


def fmt_chunk(tag: int, channels: int, rate: int, bits: int, extensible: bool = False) -> bytes:
    align = channels * bits // 8
    body = struct.pack(
        "<HHIIHH", EXTENSIBLE if extensible else tag, channels, rate, rate * align, align, bits
    )
    if extensible:
        body += struct.pack("<HHI", 22, bits, (1 << channels) - 1)
        body += struct.pack("<H", tag) + _GUID_TAIL
    return b"fmt " + struct.pack("<I", len(body)) + body


def write_wav(
    path: Path,
    data: bytes,
    *,
    tag: int,
    channels: int,
    rate: int,
    bits: int,
    extensible: bool = False,
    rf64: bool = False,
    declared: int | None = None,
    extra: bytes = b"",
) -> Path:
    """A WAV (or RF64) file built byte by byte; `declared` overrides the data chunk size."""
    size = len(data) if declared is None else declared
    fmt = fmt_chunk(tag, channels, rate, bits, extensible)
    pad = b"\x00" if len(data) % 2 else b""
    if rf64:
        ds64 = b"ds64" + struct.pack("<IQQQI", 28, 0, size, 0, 0)
        header = b"RF64" + struct.pack("<I", 0xFFFFFFFF) + b"WAVE" + ds64
        data_chunk = b"data" + struct.pack("<I", 0xFFFFFFFF) + data + pad
    else:
        riff_size = 4 + len(fmt) + len(extra) + 8 + len(data) + len(pad)
        header = b"RIFF" + struct.pack("<I", riff_size) + b"WAVE"
        data_chunk = b"data" + struct.pack("<I", size) + data + pad
    path.write_bytes(header + fmt + extra + data_chunk)
    return path


def write_with_pyav(
    path: Path,
    signal: np.ndarray,
    rate: int,
    codec: str,
    *,
    video: bool = False,
    container_format: str | None = None,
) -> Path:
    """Encode `signal` (frames, channels) with FFmpeg, optionally beside a tiny video."""
    layout = "stereo" if signal.shape[1] == 2 else "mono"
    with av.open(str(path), "w", format=container_format) as out:
        vstream = None
        if video:
            vstream = out.add_stream("mpeg4", rate=10)
            vstream.width, vstream.height, vstream.pix_fmt = 32, 32, "yuv420p"
        astream = out.add_stream(codec, rate=rate, layout=layout)
        # PyAV converts to the encoder's own sample format and frame size.
        planar = np.ascontiguousarray(signal.T.astype(np.float32))
        frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout=layout)
        frame.sample_rate = rate
        frame.pts = 0
        for packet in astream.encode(frame):
            out.mux(packet)
        for packet in astream.encode(None):
            out.mux(packet)
        if vstream is not None:
            seconds = signal.shape[0] / rate
            for i in range(max(1, int(seconds * 10))):
                img = av.VideoFrame.from_ndarray(
                    np.full((32, 32, 3), i % 255, np.uint8), format="rgb24"
                )
                img.pts = i
                for packet in vstream.encode(img):
                    out.mux(packet)
            for packet in vstream.encode(None):
                out.mux(packet)
    return path


def write_video_only(path: Path, frames: int = 5) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for i in range(frames):
            img = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
            img.pts = i
            for packet in stream.encode(img):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def best_correlation(a: np.ndarray, b: np.ndarray, max_lag: int = 4096) -> float:
    """Peak normalised correlation of two mono signals over lags up to `max_lag` (codec delay)."""
    n = min(len(a), len(b)) - max_lag
    ref = b[:n] - b[:n].mean()
    best = 0.0
    spec_len = 1 << int(np.ceil(np.log2(len(a) + n)))
    corr = np.fft.irfft(np.fft.rfft(a, spec_len) * np.conj(np.fft.rfft(ref, spec_len)), spec_len)
    lag = int(np.argmax(corr[: max_lag + 1]))
    seg = a[lag : lag + n] - a[lag : lag + n].mean()
    denom = np.linalg.norm(seg) * np.linalg.norm(ref)
    if denom > 0:
        best = float(seg @ ref / denom)
    return best
