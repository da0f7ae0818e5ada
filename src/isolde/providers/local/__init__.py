"""The offline engine: works with no key and no network.

Layout: pure numpy DSP (stft, wiener, profiles, envelope, autoregressive, room_tone), chunked
streaming drivers over any `FrameSource` (separation, gap_repair), and the Provider wrapper
that owns files, validation and events (provider).
"""

from isolde.providers.local.provider import LocalProvider

__all__ = ["LocalProvider"]
