from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile as sf
from cli_signals import RATE, voice_over_noise

from fakecloud import FakeCloud
from fakecloud.testing import fast_classes, start_cloud


@pytest.fixture
def noisy_wav(tmp_path: Path) -> Path:
    path = tmp_path / "noisy.wav"
    sf.write(path, voice_over_noise(6.0), RATE, subtype="PCM_16")
    return path


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCloud]:
    fast_classes(monkeypatch)
    c = start_cloud(monkeypatch)
    yield c
    c.stop()
