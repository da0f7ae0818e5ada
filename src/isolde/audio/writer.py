"""Writes audio files atomically: into a temp file beside the target, renamed when complete."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from types import TracebackType

import numpy as np
import soundfile as sf

from isolde.audio.output_format import OutputFormat
from isolde.audio.resampling import resample
from isolde.core.errors import AudioFileError

_SUBTYPES = {
    ("wav", "16"): "PCM_16",
    ("wav", "24"): "PCM_24",
    ("wav", "float"): "FLOAT",
    ("flac", "16"): "PCM_16",
    ("flac", "24"): "PCM_24",
}
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
# libsndfile tells the encoder about the bitrate as a 0..1 "compression level" that it maps
# linearly onto a range that depends on the MPEG version the sample rate implies.
_MP3_KBPS_RANGE = ((32000, 32, 320), (16000, 8, 160), (0, 8, 64))
_SFC_RF64_AUTO_DOWNGRADE = 0x1210  # from sndfile.h
DEFAULT_FORMAT = OutputFormat()  # 32-bit float WAV at the source rate


def mp3_compression_level(kbps: int, sample_rate: int) -> float:
    lo, hi = next((lo, hi) for floor, lo, hi in _MP3_KBPS_RANGE if sample_rate >= floor)
    level = (hi - min(max(kbps, lo), hi)) / (hi - lo)
    # A hair under the exact value: libsndfile truncates the bitrate it derives, and 1.0
    # itself is rejected while its default VBR mode is still active.
    return min(max(level - 1e-6, 0.0), 0.9999)


class AudioWriter:
    """Writes float blocks to `path`; nothing appears at `path` unless writing completes.

    Integer and MP3 outputs clip to [-1, 1]; float WAV keeps values as they are.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        sample_rate: int,
        channels: int,
        fmt: OutputFormat = DEFAULT_FORMAT,
    ) -> None:
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.channels = channels
        self.fmt = fmt
        self.frames_written = 0
        if fmt.sample_rate is not None and fmt.sample_rate != sample_rate:
            raise ValueError(
                f"AudioWriter gets {sample_rate} Hz samples but the format asks "
                f"for {fmt.sample_rate} Hz; resample first (transcode does)"
            )
        if sample_rate <= 0 or channels <= 0:
            raise ValueError(
                f"need a positive rate and channel count, not {sample_rate} Hz, {channels} channels"
            )
        check_capacity(self.path, sample_rate, channels, fmt)
        self._tmp = self._create_temp()
        try:
            self._file = self._open_soundfile()
        except BaseException:
            self._tmp.unlink(missing_ok=True)
            raise
        self._done = False

    def write(self, block: np.ndarray) -> None:
        """Append float32/float64 samples shaped (n, channels), or (n,) for mono."""
        data = np.asarray(block)
        if data.ndim == 1 and self.channels == 1:
            data = data[:, None]
        if data.ndim != 2 or data.shape[1] != self.channels:
            raise ValueError(f"expected (n, {self.channels}) samples, got {data.shape}")
        if not np.issubdtype(data.dtype, np.floating):
            raise ValueError(f"expected float samples, got {data.dtype}")
        if self._done:
            raise ValueError(f"{self.path}: the writer is already closed")
        try:
            self._file.write(self._encode(data))
        except (sf.SoundFileError, RuntimeError, OSError) as exc:
            raise AudioFileError(
                self.path, f"writing failed ({exc}) — check the free disk space"
            ) from exc
        self.frames_written += data.shape[0]

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self._done:
            return
        self._done = True
        try:
            self._file.close()
            os.replace(self._tmp, self.path)
        except (sf.SoundFileError, RuntimeError, OSError) as exc:
            self._tmp.unlink(missing_ok=True)
            raise AudioFileError(self.path, f"could not finish writing ({exc})") from exc

    def abort(self) -> None:
        """Drop everything written so far; `path` is left as it was."""
        if self._done:
            return
        self._done = True
        with contextlib.suppress(Exception):  # the half-written temp goes either way
            self._file.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> AudioWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    # -- helpers -------------------------------------------------------------------------
    def _create_temp(self) -> Path:
        tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.part")
        try:
            # Made with os.open so the final file gets the usual permissions (umask applies).
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileNotFoundError:
            raise AudioFileError(
                self.path,
                f"the folder {self.path.parent} does not exist — choose an existing folder",
            ) from None
        except PermissionError:
            raise AudioFileError(
                self.path,
                "permission denied — Isolde cannot write in this folder; choose another one",
            ) from None
        except OSError as exc:
            raise AudioFileError(
                self.path, f"cannot write here ({exc.strerror or exc}) — choose another folder"
            ) from exc
        return tmp

    def _open_soundfile(self) -> sf.SoundFile:
        fmt = self.fmt
        try:
            if fmt.container == "mp3":
                return sf.SoundFile(
                    self._tmp,
                    "w",
                    self.sample_rate,
                    self.channels,
                    "MPEG_LAYER_III",
                    format="MP3",
                    bitrate_mode="CONSTANT",
                    compression_level=mp3_compression_level(fmt.bitrate_kbps, self.sample_rate),
                )
            subtype = _SUBTYPES[(fmt.container, fmt.depth)]
            if fmt.container == "flac":
                return sf.SoundFile(
                    self._tmp, "w", self.sample_rate, self.channels, subtype, format="FLAC"
                )
            return _open_wav(self._tmp, self.sample_rate, self.channels, subtype)
        except (sf.SoundFileError, RuntimeError, ValueError) as exc:
            raise AudioFileError(
                self.path,
                f"cannot write {fmt} at {self.sample_rate} Hz with "
                f"{self.channels} channels ({exc}) — check the free disk space and that the "
                "folder is writable",
            ) from exc

    def _encode(self, data: np.ndarray) -> np.ndarray:
        fmt = self.fmt
        if fmt.container == "wav" and fmt.depth == "float":
            return data
        clipped = np.clip(data, -1.0, 1.0)
        # Integers are rounded here with a 2**(bits-1) scale, matching how files are read,
        # so 16/24-bit audio survives a read-write round trip bit for bit.
        if fmt.container != "mp3" and fmt.depth == "16":
            return np.clip(np.rint(clipped * 32768.0), -32768, 32767).astype(np.int16)
        if fmt.container != "mp3" and fmt.depth == "24":
            ints = np.clip(np.rint(clipped * 8388608.0), -8388608, 8388607).astype(np.int32)
            return ints << 8  # libsndfile takes 24-bit samples from the top of an int32
        return clipped


def _open_wav(tmp: Path, sample_rate: int, channels: int, subtype: str) -> sf.SoundFile:
    """A WAV writer that turns into RF64 only if the data outgrows 4 GiB.

    libsndfile can do that switch but soundfile does not expose it, so it is asked for
    through soundfile's binding; if that is ever unavailable, plain WAV is written.
    """
    f = sf.SoundFile(tmp, "w", sample_rate, channels, subtype, format="RF64")
    snd, handle = getattr(sf, "_snd", None), getattr(f, "_file", None)
    ffi = getattr(sf, "_ffi", None)
    if (
        snd is not None
        and handle is not None
        and ffi is not None
        and snd.sf_command(handle, _SFC_RF64_AUTO_DOWNGRADE, ffi.NULL, 1) == 1
    ):
        return f
    f.close()
    return sf.SoundFile(tmp, "w", sample_rate, channels, subtype, format="WAV")


def check_capacity(path: Path, sample_rate: int, channels: int, fmt: OutputFormat) -> None:
    """AudioFileError when `fmt` cannot hold `sample_rate` Hz audio with `channels` channels."""
    if fmt.container == "mp3":
        if sample_rate not in MP3_RATES:
            raise AudioFileError(
                path,
                f"MP3 cannot store {sample_rate} Hz audio; export at "
                f"one of {', '.join(map(str, MP3_RATES))} Hz, or as "
                f"WAV or FLAC",
            )
        if channels > 2:
            raise AudioFileError(
                path, f"MP3 holds at most 2 channels, not {channels}; export as WAV or FLAC"
            )
    if fmt.container == "flac" and channels > 8:
        raise AudioFileError(path, f"FLAC holds at most 8 channels, not {channels}; export as WAV")


def write_audio(
    path: str | os.PathLike[str],
    data: np.ndarray,
    sample_rate: int,
    fmt: OutputFormat = DEFAULT_FORMAT,
) -> Path:
    """Write an in-memory signal (resampled first if `fmt.sample_rate` asks for another rate)."""
    samples = np.asarray(data)
    rate = sample_rate
    if fmt.sample_rate is not None and fmt.sample_rate != sample_rate:
        samples, rate = resample(samples, sample_rate, fmt.sample_rate), fmt.sample_rate
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    with AudioWriter(path, rate, channels, fmt) as writer:
        writer.write(samples)
    return writer.path
