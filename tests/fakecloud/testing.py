"""Helpers for tests that drive the real clients against the fake cloud (no pytest imports
here, so the module also works from a plain script)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from isolde.providers.audiolasso import AudioLassoProvider
from isolde.providers.fal import FalProvider
from isolde.providers.net.retry import PollPolicy
from isolde.providers.segmind import SegmindProvider

from .faults import Faults
from .server import FakeCloud

CLOUD_CLASSES = (FalProvider, SegmindProvider, AudioLassoProvider)
FAST_POLL = PollPolicy(initial_s=0.002, factor=1.5, max_s=0.01)


def fast(provider: Any) -> Any:
    """The same provider with millisecond backoff and polling (same retry statuses)."""
    provider.retry = replace(provider.retry, base_s=0.001, max_s=0.004, jitter=0.0)
    provider.poll_policy = FAST_POLL
    provider.stream_idle_s = 5.0
    return provider


def fast_classes(monkeypatch: Any) -> None:
    """Millisecond timings for providers the code under test creates itself (the CLI)."""
    for cls in CLOUD_CLASSES:
        monkeypatch.setattr(cls, "retry", replace(cls.retry, base_s=0.001, max_s=0.004, jitter=0.0))
        monkeypatch.setattr(cls, "poll_policy", FAST_POLL)


def start_cloud(monkeypatch: Any, **kwargs: Any) -> FakeCloud:
    """A started fake cloud whose URLs and keys are in the environment (undone by monkeypatch)."""
    faults = kwargs.pop("faults", None) or Faults(step_s=0.002)
    cloud = FakeCloud(faults=faults, **kwargs).start()
    for name, value in cloud.env().items():
        monkeypatch.setenv(name, value)
    return cloud


def noise(seconds: float, rate: int = 48_000, channels: int = 1, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((int(seconds * rate), channels)) * 0.1).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int = 48_000, subtype: str = "FLOAT") -> Path:
    sf.write(path, samples, rate, subtype=subtype)
    return path


def read(path: Path) -> tuple[np.ndarray, int]:
    data, rate = sf.read(path, dtype="float64", always_2d=True)
    return data, rate


def make_video(path: Path, seconds: float = 1.0, shade: int = 128) -> Path:
    """A tiny H.264 + AAC clip (a flat grey picture, a tone)."""
    import av

    with av.open(str(path), "w") as out:
        v = out.add_stream("libx264", rate=25)
        v.width, v.height, v.pix_fmt = 32, 32, "yuv420p"
        a = out.add_stream("aac", rate=48000)
        a.layout = "mono"
        for _ in range(int(25 * seconds)):
            frame = av.VideoFrame.from_ndarray(np.full((32, 32, 3), shade, np.uint8), "rgb24")
            for packet in v.encode(frame):
                out.mux(packet)
        tone = (0.2 * np.sin(np.arange(int(48000 * seconds)) / 10)).astype(np.float32)
        for start in range(0, len(tone) - 1023, 1024):
            frame = av.AudioFrame.from_ndarray(tone[None, start : start + 1024], "fltp", "mono")
            frame.sample_rate, frame.pts = 48000, start
            for packet in a.encode(frame):
                out.mux(packet)
        for stream in (v, a):
            for packet in stream.encode():
                out.mux(packet)
    return path
