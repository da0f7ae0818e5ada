""" "What the model will see": the picture replaced by the mask an engine receives.

With the switch on, the viewer shows the union of the objects chosen to send, as black and white
pixels in the project's engine's polarity (`isolde.video.polarity`; fal: black = the target,
white = the background), optionally blended over the picture so the user can check it covers the
right thing. "Invert mask" is `ProjectState.mask_invert`: toggling it is one undo step through the
project, and undo/redo move the switch back. The switch itself only changes what is shown.
"""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.video.polarity import (
    DEFAULT_PROVIDER,
    PROVIDER_POLARITY,
    MaskPolarity,
    polarity_for,
    to_pixels,
)

BLEND_MASK = 0.6  # weight of the mask when blended over the picture


def mask_engine(state: ProjectState | None) -> str:
    """The engine whose polarity is shown: the project's, or fal's when it takes no masks."""
    provider = state.provider if state is not None else DEFAULT_PROVIDER
    return provider if provider in PROVIDER_POLARITY else DEFAULT_PROVIDER


def model_pixels(mask: np.ndarray, state: ProjectState | None) -> np.ndarray:
    """The mask as the engine of `state` receives it: uint8 0/255, H×W."""
    invert = state.mask_invert if state is not None else False
    return to_pixels(np.asarray(mask, dtype=bool), polarity_for(mask_engine(state)), invert)


def polarity_text(state: ProjectState | None) -> str:
    engine = mask_engine(state)
    polarity = polarity_for(engine)
    if state is not None and state.mask_invert:
        flipped = {
            MaskPolarity.BLACK_IS_TARGET: "black = the background you keep as the target, "
            "white = the masked objects",
            MaskPolarity.WHITE_IS_TARGET: "white = the background you keep as the target, "
            "black = the masked objects",
        }
        text = f"{engine}, inverted: {flipped[polarity]}"
    else:
        text = f"{engine}: {polarity.describe()}"
    if state is not None and state.provider != engine:
        text += f" ({state.provider} takes no mask video; shown as {engine} would receive it)"
    return text


class ModelPreview(QObject):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.controls = QWidget(parent)
        self.toggle = QToolButton(self.controls)
        self.toggle.setText("What the model will see")
        self.toggle.setCheckable(True)
        self.toggle.setAccessibleName("What the model will see")
        self.toggle.setToolTip(
            "Show the mask of the objects sent, black/white as the engine receives it"
        )
        self.invert = QCheckBox("Invert mask", self.controls)
        self.invert.setAccessibleName("Invert mask")
        self.invert.setToolTip("Send everything outside the masked objects instead")
        self.blend = QCheckBox("Over the picture", self.controls)
        self.blend.setAccessibleName("Blend the mask over the picture")
        self.blend.setChecked(True)
        self.note = QLabel(self.controls)
        self.note.setAccessibleName("Mask polarity")
        self.note.setWordWrap(True)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top = QHBoxLayout()
        top.addWidget(self.toggle)
        top.addWidget(self.invert)
        top.addStretch(1)
        details = QHBoxLayout()
        details.addWidget(self.blend)
        details.addWidget(self.note, 1)
        rows = QVBoxLayout(self.controls)
        rows.setContentsMargins(4, 0, 4, 0)
        rows.setSpacing(2)
        rows.addLayout(top)
        rows.addLayout(details)
        self.toggle.toggled.connect(self._toggled)
        self.blend.toggled.connect(lambda _on: self.changed.emit())
        self.invert.toggled.connect(self._invert_clicked)
        self._toggled(False)

    @property
    def active(self) -> bool:
        return self.toggle.isChecked()

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.sync(project.state if project is not None else None)

    def sync(self, state: ProjectState | None) -> None:
        """Show the project's invert setting and polarity (no edit is made)."""
        self.invert.blockSignals(True)
        self.invert.setChecked(bool(state and state.mask_invert))
        self.invert.blockSignals(False)
        self.note.setText(polarity_text(state))

    def compose(
        self, image: np.ndarray, mask: np.ndarray, state: ProjectState | None
    ) -> np.ndarray:
        """The picture on screen: the mask's pixels (grey H×W), or blended over `image`."""
        pixels = model_pixels(mask, state)
        if not self.blend.isChecked():
            return pixels
        grey = cv2.cvtColor(pixels, cv2.COLOR_GRAY2RGB)
        return cv2.addWeighted(image, 1 - BLEND_MASK, grey, BLEND_MASK, 0.0)

    def _toggled(self, on: bool) -> None:
        self.blend.setVisible(on)
        self.note.setVisible(on)
        self.changed.emit()

    def _invert_clicked(self, on: bool) -> None:
        if self.project is None or self.project.state.mask_invert == on:
            return
        self.project.set_mask_invert(on)
