"""Which menu entries have no keyboard shortcut on purpose, and why.

Every action in the menus has a shortcut or a line here (tests/ui/shell/test_menu_keys.py walks
the menus and holds this). Submenus whose entries are made on the fly (devices, recent files)
are keyless as a whole: their entries come and go.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenu, QMenuBar

# An action's id (see `action_id`) → why it has no key.
NO_SHORTCUT: dict[str, str] = {
    "dock:video-dock": "a panel toggle: shown with the video, rarely switched",
    "dock:mask-dock": "a panel toggle: shown with the video, rarely switched",
    "dock:takes-dock": "a panel toggle: its commands have keys of their own (1–4, A, K)",
    "dock:remix-dock": "a panel toggle: its commands have keys of their own (1–4, A, K)",
    "dock:prompt-dock": "a panel toggle: Separate has its key (Ctrl+Return)",
    "dock:jobs-dock": "a panel toggle: rarely switched",
    "job_cancel": "acts on the job selected in the Jobs panel: a key would hit a job unseen",
    "job_retry": "acts on the selected job and may be billed again: chosen deliberately",
    "job_open_take": "acts on the selected job (Enter in the Jobs panel does the same)",
    "job_logs": "acts on the selected job",
    "job_copy_id": "acts on the selected job; rarely needed (support requests)",
    "reset_layout": "rarely needed, and undoes a layout the user made: chosen deliberately",
    "show_guide": "for a new user, who finds it in the Help menu",
}
# Submenus (object name or title without "&") whose entries are made on the fly.
DYNAMIC_MENUS: dict[str, str] = {
    "Output device": "one entry per sound device found when the menu opens",
    "Open Recent": "one entry per recent file, and Clear list",
}


def action_id(action: QAction) -> str:
    """A stable id: the command key (object name), else "dock:<name>" for a dock's toggle,
    else the text without "&"."""
    if action.objectName():
        return action.objectName()
    parent = action.parent()
    if isinstance(parent, QDockWidget) and parent.objectName():
        return f"dock:{parent.objectName()}"
    return plain(action.text())


def plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def dynamic(menu: QMenu) -> bool:
    return menu.objectName() in DYNAMIC_MENUS or plain(menu.title()) in DYNAMIC_MENUS


def menu_actions(bar: QMenuBar) -> Iterator[tuple[str, QAction]]:
    """(menu path, action) for every action in the menus, submenus included, separators and
    the entries of dynamic submenus left out."""
    for top in bar.actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            yield from _walk(menu, plain(menu.title()))


def _walk(menu: QMenu, path: str) -> Iterator[tuple[str, QAction]]:
    for action in menu.actions():
        sub = action.menu()
        if isinstance(sub, QMenu):
            if not dynamic(sub):
                yield from _walk(sub, f"{path} › {plain(sub.title())}")
        elif not action.isSeparator():
            yield path, action


def keyless(bar: QMenuBar) -> list[str]:
    """Menu actions with neither a shortcut nor a NO_SHORTCUT reason ("File › Open…")."""
    return [
        f"{path} › {plain(action.text())} [{action_id(action)}]"
        for path, action in menu_actions(bar)
        if not action.shortcuts() and action_id(action) not in NO_SHORTCUT
    ]
