"""Fixtures for the editor tests.

The editor's modal questions (save changes?, restore autosave?, file dialogs) would block an
offscreen test forever, so every window answers them without a dialog: Discard, Decide later,
and no file chosen. Tests about those questions set the window's `ask_*` attributes themselves.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from job_helpers import noise_wav, open_job_window, stop_jobs

from isolde.ui.shell import recovery_offer, unsaved
from isolde.ui.shell.main_window import MainWindow


@pytest.fixture(autouse=True)
def _no_modal_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unsaved, "ask_unsaved", lambda *_: unsaved.Answer.DISCARD)
    monkeypatch.setattr(unsaved, "ask_save_path", lambda *_: None)
    monkeypatch.setattr(unsaved, "ask_open_path", lambda *_: None)
    monkeypatch.setattr(unsaved, "ask_locate_media", lambda *_: None)
    later = recovery_offer.RestoreChoice.LATER
    monkeypatch.setattr(recovery_offer, "ask_restore", lambda *_: later)


@pytest.fixture(autouse=True)
def _collect_qt_garbage() -> Iterator[None]:
    """Collect each test's leftover Qt wrappers when it ends (after qtbot has closed its
    widgets), a safe point. Left to the cyclic collector they can be destroyed in the middle of
    a later test's Qt call: seen once, a window's menu destroyed inside QObject::disconnect,
    whose lock its destructor then waited for forever."""
    yield
    gc.collect()


@pytest.fixture
def job_window(qtbot, tmp_path: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    window = open_job_window(qtbot, noise_wav(tmp_path / "noise.wav"))
    yield window
    stop_jobs(window)
