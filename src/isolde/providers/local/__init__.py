"""The offline engine: works with no key and no network.

Layout: pure numpy DSP (stft, wiener, profiles, envelope, speech_mask, background_tracker, hum,
autoregressive, room_tone); RNNoise (rnnoise: the library; denoise_worker + denoised_stream: its
estimate, in a child process for long files); speech detectors and suggested spans (vad,
span_suggestions); chunked streaming drivers over any `FrameSource` (separation,
speech_separation, hum, gap_repair); choosing a method (method_choice, prompts); and the Provider
wrapper that owns files, validation and events (provider, separation_job).
"""

from isolde.providers.local.provider import LocalProvider

__all__ = ["LocalProvider"]
