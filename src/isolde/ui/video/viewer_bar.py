"""The row above the picture: Fit, 100 %, zoom out/in with the zoom shown, the frame-step
buttons and which frame is on screen. Holds no state: it drives the view and the viewer."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from isolde.ui.video.frame_view import ZOOM_STEP, FrameView


def _button(text: str, tip: str, slot: Callable[[], None], checkable: bool = False) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setAccessibleName(tip)
    button.setCheckable(checkable)
    button.clicked.connect(lambda _c=False: slot())
    return button


class ViewerBar(QWidget):
    def __init__(
        self, view: FrameView, step: Callable[[int], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.fit_button = _button("Fit", "Fit the picture to the dock", view.fit, True)
        self.actual_button = _button("100 %", "Show the picture at 100 %", view.actual_size)
        self.zoom_out_button = _button(
            "−", "Zoom out of the picture", lambda: view.zoom_by(1 / ZOOM_STEP)
        )
        self.zoom_in_button = _button("+", "Zoom into the picture", lambda: view.zoom_by(ZOOM_STEP))
        self.zoom_label = QLabel()
        self.zoom_label.setAccessibleName("Picture zoom")
        self.back_button = _button("◀", "Previous frame (Alt+Left)", lambda: step(-1))
        self.forward_button = _button("▶", "Next frame (Alt+Right)", lambda: step(1))
        self.frame_label = QLabel()
        self.frame_label.setAccessibleName("Frame at the playhead")
        self.frame_label.setMinimumWidth(40)  # shrinks with a narrow dock (the tooltip has all)
        self.frame_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        for widget in (
            self.fit_button,
            self.actual_button,
            self.zoom_out_button,
            self.zoom_in_button,
            self.zoom_label,
        ):
            row.addWidget(widget)
        row.addSpacing(12)
        row.addWidget(self.back_button)
        row.addWidget(self.forward_button)
        row.addWidget(self.frame_label, 1)
        view.zoom_changed.connect(self.show_zoom)
        self.show_zoom()

    def show_zoom(self, *_args: object) -> None:
        self.fit_button.setChecked(self.view.fitting)
        self.zoom_label.setText(f"{self.view.zoom * 100:.0f} %")

    def show_frame(self, text: str) -> None:
        self.frame_label.setText(text)
        self.frame_label.setToolTip(text)
