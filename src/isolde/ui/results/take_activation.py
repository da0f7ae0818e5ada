"""Which take is active when a job finishes, and what the status bar says about it.

The rule: a finished take becomes the active one (A), unless the user is comparing two takes
(a B take is set) — then A and B stay as they are, so what they are listening to does not
change under them, and the status bar says how to switch. No Qt here.
"""

from __future__ import annotations

from isolde.core.takes import Take
from isolde.ui.results.take_info import take_title


def activates(comparing: bool) -> bool:
    """Whether a take that just arrived becomes the active one."""
    return not comparing


def arrival_message(take: Take, *, active: bool) -> str:
    """The status line for a take that arrived, made active (`active`) or only added."""
    title = take_title(take)
    if active:
        return f"Take “{title}” is now active — Ctrl+Z goes back to the take before"
    return (
        f"Take “{title}” added — you are comparing, so A and B stay; "
        "select it in Takes and press Enter to make it active"
    )
