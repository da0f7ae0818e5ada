"""The offline engine: works with no key and no network.

Layout: pure numpy DSP (stft, wiener, profiles, envelope, speech_mask, background_tracker, hum,
autoregressive, room_tone); RNNoise (rnnoise: the library; denoise_worker + denoised_stream: its
estimate, in a child process for long files); speech detectors and suggested spans (vad,
span_suggestions); chunked streaming drivers over any `FrameSource` (separation,
speech_separation, hum, gap_repair); choosing a method (method_choice, prompts); and the Provider
wrapper that owns files, validation and events (provider, separation_job).

`LocalProvider` loads on first use (PEP 562), so importing one submodule (`isolde suggest`'s
detector names) does not import the whole engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from isolde.providers.local.provider import LocalProvider

__all__ = ["LocalProvider"]


def __getattr__(name: str) -> Any:
    if name != "LocalProvider":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from isolde.providers.local.provider import LocalProvider

    globals()[name] = LocalProvider
    return LocalProvider
