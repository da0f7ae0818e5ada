"""Test-only: a real editor process that keeps editing until it is killed.

Run as `python tests/ui/crash_driver.py FILE`: it starts the editor exactly as `isolde FILE`
does (`isolde.cli.main.main`), and once FILE is open makes one mark every EDIT_EVERY_S through
the editor's own commands (tool, playhead, set in, set out, add mark — what the Marks menu and
the keys [ ] M do). After each edit it prints `edit N START END INCLUDE WALLCLOCK` on stdout, so
the test knows which edits were made when, and it never stops by itself: the test kills it.

Nothing in the product imports or knows about this module.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QTimer

from isolde.cli.main import main
from isolde.ui.shell.app import create_app

EDIT_EVERY_S = 0.4
FIRST_START = 0.24  # on the 40 ms grid, so snapping would change nothing
STEP = 0.48
LENGTH = 0.32


def _window():  # type: ignore[no-untyped-def]
    app = create_app()
    found = [w for w in app.topLevelWidgets() if w.objectName() == "isolde-main"]
    return found[0] if found else None


def _when_open() -> None:
    window = _window()
    if window is None or window.loading or window.project is None:
        QTimer.singleShot(50, _when_open)
        return
    print(f"ready {len(window.project.state.spans)}", flush=True)
    timer = QTimer(window, interval=round(EDIT_EVERY_S * 1000))
    count = iter(range(10_000))
    timer.timeout.connect(lambda: _edit(window, next(count)))
    timer.start()


def _edit(window, n: int) -> None:  # type: ignore[no-untyped-def]
    start = FIRST_START + n * STEP
    end = start + LENGTH
    if end > window.document.source.info.duration:
        return
    include = n % 2 == 0
    keys = window.actions_by_key
    keys["tool_include" if include else "tool_exclude"].trigger()
    window.seek(start)
    keys["set_in"].trigger()
    window.seek(end)
    keys["set_out"].trigger()
    keys["add_mark"].trigger()
    print(f"edit {n} {start:.3f} {end:.3f} {int(include)} {time.time():.3f}", flush=True)


if __name__ == "__main__":
    create_app()
    QTimer.singleShot(50, _when_open)
    sys.exit(main([sys.argv[1]]))
