from __future__ import annotations

from pathlib import Path

import pytest
import soundfile as sf
from cli_signals import RATE, voice_over_noise


@pytest.fixture
def noisy_wav(tmp_path: Path) -> Path:
    path = tmp_path / "noisy.wav"
    sf.write(path, voice_over_noise(6.0), RATE, subtype="PCM_16")
    return path
