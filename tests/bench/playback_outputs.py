"""Where the playback benchmark's audio goes: a real PortAudio output with a probe on each
block, or a PullBackend pulled at real-time pace by a thread (a software sound card).
See bench_playback.py."""

from __future__ import annotations

import threading
import time

import numpy as np

RATE, BLOCK = 48_000, 256


# -- devices -----------------------------------------------------------------------------------
def pick_device(choice: str) -> tuple[int | None, str, bool]:
    """(PortAudio device, description, paced). Imports sounddevice: call after the ALSA setup."""
    from isolde.audio.device import output_devices

    devices = output_devices()
    jack = next((d for d in devices if "JACK" in d["hostapi"]), None)
    if choice in ("auto", "jack") and jack is not None:
        return jack["index"], f"{jack['name']} via JACK (paced)", True
    if choice == "jack":
        raise SystemExit("no JACK output: start `jackd -d dummy -r 48000 -p 256` first")
    if choice.isdigit():
        info = next(d for d in devices if d["index"] == int(choice))
        return int(choice), f"{info['name']} ({info['hostapi']})", True
    if choice == "default":
        return None, "the system default output", True
    return None, "ALSA null device (UNPACED: takes blocks as fast as they come)", False


class ProbeBackend:
    """The real sounddevice backend, with a look at each block the player renders: it notes
    when a watched switch has fully landed. Costs nothing while nothing is watched."""

    def __init__(self, device: int | None) -> None:
        from isolde.audio.device import SoundDeviceBackend

        self.inner = SoundDeviceBackend(device)
        self.watch: tuple[float, float] | None = None  # (set_lane time, the new value)
        self.landed: list[float] = []

    latency = property(lambda self: self.inner.latency)
    xruns = property(lambda self: self.inner.xruns)
    failure = property(lambda self: self.inner.failure)
    running = property(lambda self: self.inner.running)

    def open(self, rate: int, channels: int, blocksize: int, render) -> int:  # type: ignore[no-untyped-def]
        def probed(out: np.ndarray) -> None:
            now = time.perf_counter()
            render(out)
            watch = self.watch
            if watch is not None and float(np.abs(out - watch[1]).max()) < 1e-6:
                self.landed.append(now - watch[0])
                self.watch = None

        return self.inner.open(rate, channels, blocksize, probed)

    def start(self) -> None:
        self.inner.start()

    def stop(self) -> None:
        self.inner.stop()

    def close(self) -> None:
        self.inner.close()


class PacedPull:
    """A PullBackend pulled one block per 256/48000 s by a thread: a software sound card."""

    def __init__(self) -> None:
        from isolde.audio.pull_backend import PullBackend

        self.backend = PullBackend()
        self.watch: tuple[float, float] | None = None
        self.landed: list[float] = []
        self.late_blocks = 0  # the loop itself fell a block behind (not the player's fault)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        period, deadline = BLOCK / RATE, time.perf_counter()
        while not self._stop.is_set():
            deadline += period
            pause = deadline - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            elif pause < -period:
                self.late_blocks += 1
            now = time.perf_counter()
            out = self.backend.pull(BLOCK)
            watch = self.watch
            if watch is not None and float(np.abs(out - watch[1]).max()) < 1e-6:
                self.landed.append(now - watch[0])
                self.watch = None
