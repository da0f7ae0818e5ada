"""The one way the editor tests open a file in a real, shown main window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from isolde.ui.shell.main_window import MainWindow


def open_in_window(  # type: ignore[no-untyped-def]
    qtbot,
    path: Path,
    size: tuple[int, int],
    *,
    expect_error: bool = False,
    **window_args: Any,
) -> MainWindow:
    """A MainWindow(**window_args) of `size`, shown, with `path` loaded; no error unless
    `expect_error` (then the test reads `window.last_error` itself)."""
    window = MainWindow(**window_args)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.open_path(path)
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    if not expect_error:
        assert window.last_error is None, window.last_error
    return window
