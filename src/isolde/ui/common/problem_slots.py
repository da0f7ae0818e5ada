"""Where the prompt panel shows validation problems: a label under each group of fields.

Providers name the field a problem concerns (`ValidationError.problems`); this maps each name to
the label under that field, so the user reads the problem where the fix is made.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from isolde.ui.common.theme import mark_error, mark_note

# Problem field → the group of fields it is shown under; "option X" goes to the options form,
# anything else to the line above the buttons ("other").
SLOTS = {
    "prompt": "prompt",
    "engine": "engine", "key": "engine", "kind": "engine", "media": "engine", "video": "engine",
    "spans": "marks", "region": "marks", "selection": "selection",
}  # fmt: skip
GROUPS = ("prompt", "engine", "marks", "selection", "other")


def note_label() -> QLabel:
    """Small grey text: notes and sources under a field."""
    label = QLabel()
    label.setWordWrap(True)
    mark_note(label)  # quieter and a little smaller than the app font, in every theme
    return label


def _problem_label(group: str) -> QLabel:
    label = QLabel()
    label.setObjectName(f"problem:{group}")
    label.setAccessibleName(f"Problem with the {group}")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    mark_error(label)
    label.hide()
    return label


class ProblemSlots:
    def __init__(self) -> None:
        self.labels = {group: _problem_label(group) for group in GROUPS}

    def show(self, problems: Mapping[str, str]) -> None:
        """Show these problems (the options form has taken its own already); clear the rest."""
        texts: dict[str, list[str]] = {group: [] for group in GROUPS}
        for field, message in problems.items():
            group = SLOTS.get(field)
            texts[group or "other"].append(message if group else f"{field}: {message}")
        for group, label in self.labels.items():
            label.setText("\n".join(texts[group]))
            label.setVisible(bool(texts[group]))

    def text(self, group: str) -> str:
        label = self.labels.get(group)
        return label.text() if label is not None and not label.isHidden() else ""
