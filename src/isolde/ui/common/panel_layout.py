"""How the dock panels are laid out: a table over a row of named buttons that wraps in a
narrow dock."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from isolde.ui.common.flow_layout import FlowLayout


def named_button(parent: QWidget, text: str, accessible: str) -> QPushButton:
    """A button showing `text` that screen readers call `accessible`."""
    button = QPushButton(text, parent)
    button.setAccessibleName(accessible)
    return button


def table_over_buttons(panel: QWidget, table: QWidget, buttons: Sequence[QWidget]) -> None:
    """Lay `panel` out edge to edge: `table`, taking the height, over `buttons` in a row that
    wraps."""
    row = FlowLayout()
    for button in buttons:
        row.addWidget(button)
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(table, 1)
    layout.addLayout(row)
