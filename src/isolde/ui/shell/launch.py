"""Start the editor, or explain in one line why it cannot start here.

Kept free of Qt imports at module level: left alone, Qt aborts the whole process when there is
no display, so the check happens before Qt is loaded.
"""

from __future__ import annotations

import os
import sys

HEADLESS_HINT = (
    "use the headless commands instead: isolde info | separate | inpaint | providers "
    "(see isolde --help)"
)


def display_problem() -> str | None:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform.split(":")[0] in ("offscreen", "minimal", "vnc", "eglfs", "linuxfb"):
        return None
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    return None


def launch_editor(path: str | None) -> int:
    problem = display_problem()
    if problem:
        sys.stderr.write(f"isolde: cannot open the editor: {problem}; {HEADLESS_HINT}\n")
        return 1
    try:
        from isolde.ui.shell.app import run_app
    except ImportError as exc:
        sys.stderr.write(
            f"isolde: cannot open the editor: Qt failed to load ({exc}); run ./run.sh to install "
            f"the system libraries it needs, or {HEADLESS_HINT}\n"
        )
        return 1
    return run_app(path)
