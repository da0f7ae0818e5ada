"""ISOLDE_SMOKE_QUIT_AFTER_LOAD: the editor quits once its document is shown (0) or opening
failed (1) — what packaging/smoke_test.py relies on — and does nothing when it is not set."""

from __future__ import annotations

from pathlib import Path

import pytest
from window_helpers import shown_window

from isolde.resources import sample_path
from isolde.ui.shell.smoke_exit import ENV, quit_after_load_if_asked


def test_it_quits_with_0_once_the_sample_is_shown(  # type: ignore[no-untyped-def]
    qtbot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV, "1")
    window = shown_window(qtbot)
    codes: list[int] = []
    window.open_path(sample_path())
    assert quit_after_load_if_asked(window, codes.append) is not None
    qtbot.waitUntil(lambda: codes != [], timeout=20_000)
    assert codes == [0] and window.document is not None
    assert f"isolde: loaded {sample_path()}" in capsys.readouterr().out.splitlines()


def test_it_quits_with_1_when_the_file_cannot_be_opened(  # type: ignore[no-untyped-def]
    qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ENV, "1")
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not really a wave file")
    window = shown_window(qtbot)
    codes: list[int] = []
    window.open_path(broken)
    quit_after_load_if_asked(window, codes.append)
    qtbot.waitUntil(lambda: codes != [], timeout=20_000)
    assert codes == [1] and window.document is None


def test_without_the_variable_nothing_is_watched(  # type: ignore[no-untyped-def]
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    window = shown_window(qtbot)
    assert quit_after_load_if_asked(window, lambda code: None) is None
