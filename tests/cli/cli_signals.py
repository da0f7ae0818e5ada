from __future__ import annotations

import numpy as np

RATE = 48_000


def voice_over_noise(seconds: float, channels: int = 2, seed: int = 1) -> np.ndarray:
    """A harmonic, syllable-modulated 'voice' from 2 s on, over white noise throughout."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    f0 = 140 + 20 * np.sin(2 * np.pi * 0.5 * t)
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    voice = sum(np.sin(k * phase) / k for k in range(1, 8))
    voice *= 0.5 * (1 + np.sin(2 * np.pi * 4 * t)) * (t >= 2.0)
    voice *= 0.2 / np.sqrt(np.mean(voice[t >= 2.0] ** 2))
    noise = rng.standard_normal((n, channels)) * 0.05
    return (voice[:, None] + noise).astype(np.float32)
