"""Sound output: the backend interface, the real sounddevice stream and the device list.

`sounddevice` is imported lazily, here and nowhere else: importing it without Debian's
libportaudio2 raises OSError, and importing it initialises PortAudio, which reads the ALSA
configuration (`$XDG_CONFIG_HOME/alsa/asoundrc`) once, at that moment. Keeping the import out of
module scope means `import isolde.audio` always works and PortAudio starts as late as possible.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, Protocol

import numpy as np

Render = Callable[[np.ndarray], None]  # fills a (frames, channels) float32 block in place

NO_OUTPUT = "No sound output: {}. Playback is off; everything else works."


class OutputUnavailable(Exception):
    """No way to make sound: PortAudio missing, no such device, or the stream would not open."""


class OutputBackend(Protocol):
    """One output stream that calls `render` for every block while started."""

    latency: float  # seconds from render to the speaker, 0.0 when unknown
    xruns: int  # device-side underflows reported by the driver
    failure: str | None  # set when the stream died under us

    def open(self, sample_rate: int, channels: int, blocksize: int, render: Render) -> int:
        """Open (not start) the stream; returns the channel count it really has.
        Raises OutputUnavailable with a message for the user."""
        ...

    @property
    def running(self) -> bool: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


def import_sounddevice() -> ModuleType:
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        raise OutputUnavailable(
            NO_OUTPUT.format(f"the PortAudio library is missing ({exc}); install libportaudio2")
        ) from exc
    return sounddevice


def output_devices() -> list[dict[str, Any]]:
    """Output devices as {index, name, hostapi, channels, default_samplerate, default};
    [] when PortAudio is missing or finds nothing."""
    try:
        sd = import_sounddevice()
    except OutputUnavailable:
        return []
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
    except (sd.PortAudioError, OSError, ValueError):
        return []
    try:
        default = int(sd.query_devices(kind="output")["index"])
    except (sd.PortAudioError, ValueError):
        default = -1
    return [
        {
            "index": int(d["index"]),
            "name": str(d["name"]),
            "hostapi": str(apis[d["hostapi"]]["name"]),
            "channels": int(d["max_output_channels"]),
            "default_samplerate": float(d["default_samplerate"]),
            "default": int(d["index"]) == default,
        }
        for d in devices
        if d["max_output_channels"] > 0
    ]


class SoundDeviceBackend:
    """A PortAudio output stream through `sounddevice` (float32, fixed block size)."""

    def __init__(self, device: int | str | None = None, *, latency: float | str = "high") -> None:
        self.device = device
        self.latency_setting = latency
        self.latency = 0.0
        self.xruns = 0
        self.failure: str | None = None
        self._stream: Any = None
        self._render: Render | None = None

    def open(self, sample_rate: int, channels: int, blocksize: int, render: Render) -> int:
        self.close()
        sd = import_sounddevice()
        self._render = render
        try:
            info = sd.query_devices(self.device, kind="output")
            channels = max(1, min(channels, int(info["max_output_channels"])))
            stream = sd.OutputStream(
                samplerate=sample_rate,
                blocksize=blocksize,
                device=self.device,
                channels=channels,
                dtype="float32",
                latency=self.latency_setting,
                callback=self._callback,
            )
        except (sd.PortAudioError, ValueError) as exc:
            raise OutputUnavailable(NO_OUTPUT.format(self._describe(exc, sample_rate))) from exc
        self._stream = stream
        self.latency = float(stream.latency)
        self.failure = None
        return channels

    @property
    def running(self) -> bool:
        return self._stream is not None and bool(self._stream.active)

    def start(self) -> None:
        if self._stream is None or self._stream.active:
            return
        sd = import_sounddevice()
        try:
            if not self._stream.stopped:
                self._stream.stop()  # a stream whose callback gave up must be stopped first
            self._stream.start()
        except sd.PortAudioError as exc:
            reason = f"the stream would not start ({exc})"
            raise OutputUnavailable(NO_OUTPUT.format(reason)) from exc

    def stop(self) -> None:
        if self._stream is not None and not self._stream.stopped:
            self._stream.stop()

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close(ignore_errors=True)

    def _callback(self, outdata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        if status and status.output_underflow:
            self.xruns += 1
        try:
            self._render(outdata)  # type: ignore[misc]
        except Exception as exc:  # keep the device fed; the player reports the failure
            outdata.fill(0.0)
            self.failure = f"Playback stopped: {exc!r}"

    def _describe(self, exc: Exception, sample_rate: int) -> str:
        text = str(exc)
        if self.device is not None and ("matching" in text or "querying device" in text):
            return f"there is no output device {self.device!r}"
        if "Invalid sample rate" in text:
            return f"the output device cannot play {sample_rate} Hz ({text})"
        if "querying device -1" in text:
            return "no output device was found"
        return text
