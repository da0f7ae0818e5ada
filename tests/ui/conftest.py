"""Fixtures for the editor tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from job_helpers import noise_wav, open_job_window, stop_jobs

from isolde.ui.main_window import MainWindow


@pytest.fixture
def job_window(qtbot, tmp_path: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    window = open_job_window(qtbot, noise_wav(tmp_path / "noise.wav"))
    yield window
    stop_jobs(window)
