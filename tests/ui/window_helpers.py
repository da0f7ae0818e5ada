"""The one way the editor tests show a real main window, empty or with a file open, and where
their screenshots go."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from isolde.ui.shell.main_window import MainWindow


def shown_window(qtbot, size: tuple[int, int] = (1280, 800), **window_args: Any) -> MainWindow:  # type: ignore[no-untyped-def]
    """A MainWindow(**window_args) of `size`, shown and exposed, with nothing open."""
    window = MainWindow(**window_args)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return window


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
    window = shown_window(qtbot, size, **window_args)
    window.open_path(path)
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    if not expect_error:
        assert window.last_error is None, window.last_error
    return window


def save_screenshot(widget: QWidget, name: str) -> Path:
    """`widget` grabbed into `screenshot_dir()` as `name`; the test fails if it is not saved."""
    path = screenshot_dir() / name
    assert widget.grab().save(str(path))
    return path


def screenshot_dir() -> Path:
    """$ISOLDE_TEST_OUTPUT, or test-output/ in the repository; made if missing."""
    repo_root = Path(__file__).resolve().parents[2]
    out = Path(os.environ.get("ISOLDE_TEST_OUTPUT", repo_root / "test-output"))
    out.mkdir(parents=True, exist_ok=True)
    return out


EDITOR_SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from isolde.ui.shell.app import create_app, run_app
from isolde.ui.shell.unsaved import Answer

app = create_app()
def when_loaded():
    windows = [w for w in app.topLevelWidgets() if w.objectName() == "isolde-main"]
    if not windows or windows[0].loading:
        QTimer.singleShot(50, when_loaded)
        return
    window = windows[0]
{body}
QTimer.singleShot(50, when_loaded)
sys.exit(run_app(None))
"""


def editor_script(body: str) -> str:
    """A `python -c` script: the editor on the bundled sample, running `body` (statements on
    `window`, `app`, `Answer`, one per line) once the sample has loaded."""
    lines = "\n".join(f"    {line}" for line in body.strip().splitlines())
    return EDITOR_SCRIPT.format(body=lines)
