"""Examples of good and weak prompts (seed 004, AudioLasso's "Write a good prompt"), offered
as a menu beside the prompt field: a good one can be inserted, a weak one says why it is weak."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMenu, QWidget

GOOD_PROMPTS = (
    "isolate the lead vocal",
    "separate the piano from the rest of the song",
    "remove crowd noise and keep the speaker",
    "extract the dog bark from the street recording",
)
WEAK_PROMPTS = ("clean this", "make better", "remove noise")
ADVICE = "Be specific about the sound you want in the target track."
WEAK_WHY = "too vague: name the sound to keep (and what to take it from)"


def examples_tooltip() -> str:
    good = "".join(f"<li>{p}</li>" for p in GOOD_PROMPTS)
    weak = "".join(f"<li>{p}</li>" for p in WEAK_PROMPTS)
    return f"{ADVICE}<br><b>Good:</b><ul>{good}</ul><b>Weak:</b><ul>{weak}</ul>"


def examples_menu(parent: QWidget, insert: Callable[[str], None]) -> QMenu:
    menu = QMenu(parent)
    menu.setAccessibleName("Prompt examples")
    menu.setToolTipsVisible(True)
    heading = menu.addAction("Good prompts — click to use")
    heading.setEnabled(False)
    for prompt in GOOD_PROMPTS:
        action = menu.addAction(f"✓ {prompt}")
        action.setObjectName(f"example:{prompt}")
        action.triggered.connect(lambda _c=False, p=prompt: insert(p))
    menu.addSeparator()
    heading = menu.addAction("Weak prompts — too vague")
    heading.setEnabled(False)
    for prompt in WEAK_PROMPTS:
        action = menu.addAction(f"✗ {prompt} — {WEAK_WHY}")
        action.setEnabled(False)
    return menu
