"""The suggest pass the CLI and the editor share: over a real file, progress to the end, the
same spans as the detector run by hand, cancellable between blocks, and detectors checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from isolde.audio import open_audio
from isolde.core.errors import Cancelled
from isolde.core.progress import CancelToken
from isolde.dsp.sources import ArraySource
from isolde.dsp.span_suggestions import suggest_spans
from isolde.dsp.suggest_pass import STAGE, detector_problem, listen_for_speech

RATE = 16_000


@pytest.fixture
def talk_wav(tmp_path: Path) -> Path:
    """Noise, with a speech-band warble from 2 s to 4 s (loud enough for the energy detector)."""
    rng = np.random.default_rng(3)
    t = np.arange(6 * RATE) / RATE
    x = 0.01 * rng.standard_normal(len(t))
    burst = (t >= 2) & (t < 4)
    x[burst] += 0.3 * np.sin(2 * np.pi * (300 + 80 * np.sin(2 * np.pi * 4 * t[burst])) * t[burst])
    path = tmp_path / "talk.wav"
    sf.write(path, x.astype(np.float32), RATE)
    return path


def test_progress_reaches_the_end_and_spans_match_a_direct_run(talk_wav: Path) -> None:
    seen: list[tuple[float, str]] = []
    with open_audio(talk_wav) as audio:
        suggestion = listen_for_speech(audio, "energy", lambda f, s: seen.append((f, s)))
        direct = suggest_spans(ArraySource(audio.read(0, audio.frames), RATE), "energy")
    assert suggestion == direct
    assert [f for f, _ in seen] == sorted(f for f, _ in seen) and seen[-1][0] == 1.0
    assert {s for _, s in seen} == {STAGE}
    assert any(s.include and s.start < 2.2 and s.end > 3.8 for s in suggestion.spans)


def test_cancel_stops_after_the_current_block(talk_wav: Path) -> None:
    token = CancelToken()
    blocks: list[float] = []

    def progress(fraction: float, stage: str) -> None:
        blocks.append(fraction)
        if len(blocks) == 2:
            token.cancel()

    with open_audio(talk_wav) as audio, pytest.raises(Cancelled):
        listen_for_speech(audio, "energy", progress, token)
    assert len(blocks) == 2 and blocks[-1] < 1.0


def test_detector_problems_are_named() -> None:
    assert detector_problem("auto") is None and detector_problem("energy") is None
    assert "unknown speech detector 'psychic'" in (detector_problem("psychic") or "")
