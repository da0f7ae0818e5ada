"""Prompt examples that follow the chosen engine, offered as a menu beside the prompt field.

Description engines (SAM Audio on fal, AudioLasso, Segmind) get sound descriptions, good and weak
(seed 004, AudioLasso's "Write a good prompt"); an engine that reads only a few words (the
offline one) gets only the examples its own check accepts, and is said to work by marks; an
engine that generates inpaint regions from a prompt (Stable Audio on fal) gets generation-style
examples, which go to the selected region's own prompt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from PySide6.QtWidgets import QMenu, QWidget

from isolde.providers.base import Provider
from isolde.ui.jobs.readiness import accepts_prompt, follows_descriptions, region_prompt_needed

DESCRIPTIONS = (
    "isolate the lead vocal",
    "remove crowd noise and keep the speaker",
    "separate the piano from the rest of the song",
    "extract the dog bark from the street recording",
    "the mains hum",
)
WEAK_PROMPTS = ("clean this", "make better", "remove noise")
GENERATIONS = (
    "quiet room tone, no speech",
    "soft rain on a window",
    "applause fading out",
    "gentle acoustic guitar strum in the same key",
)
ADVICE = "Be specific about the sound you want in the target track."
WEAK_WHY = "too vague: name the sound to keep (and what to take it from)"
MARKS_FIRST = (
    "{title} separates by marks: mark where the sound is absent (E).\n"
    "A prompt helps only when it names speech or hum."
)
GENERATE_ADVICE = "Inpaint regions have their own prompt: describe the sound to generate there."


@dataclass(frozen=True)
class Examples:
    """What the menu offers for one engine."""

    advice: str
    good: tuple[str, ...]  # separate prompts the engine can follow
    weak: tuple[str, ...]  # vague ones, shown disabled with why
    generate: tuple[str, ...]  # region prompts, for engines that generate from one


def examples_for(provider: Provider) -> Examples:
    descriptive = follows_descriptions(provider)
    good = tuple(p for p in DESCRIPTIONS if descriptive or accepts_prompt(provider, p))
    advice = ADVICE if descriptive else MARKS_FIRST.format(title=provider.title)
    generate = GENERATIONS if region_prompt_needed(provider) else ()
    return Examples(advice, good, WEAK_PROMPTS if descriptive else (), generate)


def examples_tooltip(provider: Provider) -> str:
    ex = examples_for(provider)
    parts = [escape(ex.advice)]
    for title, items in (("Good", ex.good), ("Weak", ex.weak), ("Inpaint regions", ex.generate)):
        if items:
            rows = "".join(f"<li>{escape(p)}</li>" for p in items)
            parts.append(f"<b>{title}:</b><ul>{rows}</ul>")
    if ex.generate:
        parts.append(escape(GENERATE_ADVICE))
    return "<br>".join(parts)


def examples_menu(
    parent: QWidget,
    provider: Provider,
    insert: Callable[[str], None],
    insert_region: Callable[[str], None] | None = None,
) -> QMenu:
    """`insert` sets the Separate prompt; `insert_region` the selected region's prompt (None:
    no region to give it to, so those examples are shown disabled)."""
    ex = examples_for(provider)
    menu = QMenu(parent)
    menu.setAccessibleName("Prompt examples")
    menu.setToolTipsVisible(True)
    if not ex.weak:
        for line in ex.advice.splitlines():  # one short heading a line: a menu does not wrap
            _heading(menu, line)
    if ex.good:
        _heading(menu, "Prompts for Separate — click to use")
    for prompt in ex.good:
        action = menu.addAction(f"✓ {prompt}")
        action.setObjectName(f"example:{prompt}")
        action.triggered.connect(lambda _c=False, p=prompt: insert(p))
    if ex.weak:
        menu.addSeparator()
        _heading(menu, "Weak prompts — too vague")
    for prompt in ex.weak:
        action = menu.addAction(f"✗ {prompt} — {WEAK_WHY}")
        action.setEnabled(False)
    if ex.generate:
        menu.addSeparator()
        where = "the selected region" if insert_region else "select an inpaint region first"
        _heading(menu, f"Inpaint region prompts — for {where}")
    for prompt in ex.generate:
        action = menu.addAction(f"♪ {prompt}")
        action.setObjectName(f"region-example:{prompt}")
        action.setEnabled(insert_region is not None)
        if insert_region is not None:
            action.triggered.connect(lambda _c=False, p=prompt, f=insert_region: f(p))
    return menu


def _heading(menu: QMenu, text: str) -> None:
    heading = menu.addAction(text)
    heading.setEnabled(False)
