"""Shared pieces for the editor's job tests: fast engines, a window that cleans up its jobs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
from tests.fakecloud.testing import fast
from window_helpers import open_in_window

from isolde.jobs.record import JobRecord
from isolde.providers.base import Provider
from isolde.providers.registry import get_provider, provider_names
from isolde.ui.shell.main_window import MainWindow

RATE = 48_000


def fast_provider(name: str) -> Provider:
    """Cloud engines with millisecond polling (their URLs come from the fake cloud's env)."""
    provider = get_provider(name)
    return provider if name == "local" else fast(provider)


def noise_wav(path: Path, seconds: float = 3.0, rate: int = RATE) -> Path:
    rng = np.random.default_rng(7)
    data = (rng.standard_normal((int(seconds * rate), 1)) * 0.1).astype(np.float32)
    sf.write(path, data, rate, subtype="PCM_16")
    return path


def open_job_window(qtbot, path: Path, size: tuple[int, int] = (1300, 760)) -> MainWindow:  # type: ignore[no-untyped-def]
    return open_in_window(qtbot, path, size, providers=fast_provider)


def stop_jobs(window: MainWindow) -> None:
    """Cancel whatever still runs and wait, so no worker outlives the test (or its fake cloud)."""
    for manager in window.jobs.session.managers():
        manager.shutdown(cancel=True)


def choose_engine(window: MainWindow, name: str) -> None:
    """Pick an engine the way the combo box does."""
    combo = window.jobs.prompt_panel.engine
    index = combo.findData(name)
    assert index >= 0, (name, provider_names())
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def wait_state(
    qtbot, window: MainWindow, job_id: str, *states: str, timeout: int = 20_000
) -> JobRecord:  # type: ignore[no-untyped-def]
    """Wait until the jobs panel (fed through the bridge) shows the job in one of `states`."""
    model = window.jobs.jobs_panel.model

    def shown() -> bool:
        row = model.row_of(job_id)
        return row is not None and model.record_at(row).state in states

    qtbot.waitUntil(shown, timeout=timeout)
    return model.record_at(model.row_of(job_id))
