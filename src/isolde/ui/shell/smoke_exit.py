"""`ISOLDE_SMOKE_QUIT_AFTER_LOAD=1`: the editor quits as soon as its first document has loaded.

How packaging/smoke_test.py checks, with no display and no one to close the window, that a built
app starts, finds the bundled sample and opens it: exit code 0 and a `loaded <path>` line on
stdout once the document is shown, 1 if opening failed or took longer than TIMEOUT_S.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

if TYPE_CHECKING:
    from isolde.ui.shell.main_window import MainWindow

ENV = "ISOLDE_SMOKE_QUIT_AFTER_LOAD"
TIMEOUT_S = 120.0  # a cold first start of a bundle on a busy machine is slow, not broken
POLL_MS = 100


def quit_after_load_if_asked(window: MainWindow, exit_app: Callable[[int], None]) -> QTimer | None:
    """When the environment asks for it, watch `window` and call `exit_app(code)` once the
    document is shown (0) or opening failed (1); None (nothing watched) otherwise."""
    if os.environ.get(ENV) != "1":
        return None
    deadline = time.monotonic() + TIMEOUT_S
    timer = QTimer(window)
    timer.setInterval(POLL_MS)

    def check() -> None:
        document = window.document
        if document is not None and not window.loading:
            code, line = 0, f"loaded {Path(document.source.info.path)}"
        elif not window.loading and window.last_error is not None:
            code, line = 1, f"not loaded: {window.last_error}"
        elif time.monotonic() > deadline:
            code, line = 1, f"not loaded after {TIMEOUT_S:.0f} s"
        else:
            return
        timer.stop()
        print(f"isolde: {line}", flush=True)
        exit_app(code)

    timer.timeout.connect(check)
    timer.start()
    return timer
