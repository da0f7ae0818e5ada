"""The cloud mask assist in the editor: "Assist…" asks what the object is (a description, and/or
a click: the centre of the selected object's mask on the frame shown), shows SAM 3's price and
sends only when the user agrees. It runs on the mask tools' background task; the mask that comes
back is added as a new object, one undo step. Without a fal key the button is disabled and says
why; everything else in the mask tools works offline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from isolde.core.errors import IsoldeError
from isolde.core.mask_edits import add_mask, next_color
from isolde.core.progress import CancelToken, ProgressFn
from isolde.providers.net.keys import missing_key_message, where_to_put

if TYPE_CHECKING:
    from isolde.ui.video.mask_tools import MaskTools


@dataclass(frozen=True)
class AssistAsk:
    text: str
    points: tuple[Any, ...] = ()  # sam3_schema.AssistPoint


class MaskAssist(QObject):
    def __init__(self, tools: MaskTools) -> None:
        super().__init__(tools)
        self.tools = tools
        # Replaceable in tests, like SubmitFlow.confirm: (title, question) → go ahead?
        self.confirm: Callable[[str, str], bool] = self._ask_yes_no
        self.prompt: Callable[[str | None], AssistAsk | None] = self._ask_prompt

    def fal(self) -> Any:
        flow = getattr(getattr(self.tools.window, "jobs", None), "flow", None)
        if flow is not None:
            return flow.provider("fal")
        from isolde.providers.fal import FalProvider

        return FalProvider()

    def problem(self) -> str:
        """Why the assist cannot be used now, in one line; "" when it can."""
        if self.tools.viewer.video is None:
            return "Assist: open a video first"
        fal = self.fal()
        if not fal.key_configured():
            env = fal.capabilities.key_env
            return f"Assist is off: no {fal.title} key — {where_to_put(env)}"
        return ""

    def refresh(self) -> None:
        problem = self.problem()
        note = problem or "Assist: SAM 3 on fal finds the object in every frame (price first)"
        self.tools.panel.set_assist_available(not problem, note)
        fal = self.fal()
        if not fal.key_configured():
            self.tools.panel.assist_note.setToolTip(
                missing_key_message(fal.capabilities.key_env, fal.title)
            )

    # -- asking -----------------------------------------------------------------------------------
    def ask(self) -> bool:
        """ "Assist…": ask what the object is, show the price, send."""
        self.refresh()
        problem = self.problem()
        if problem:
            self.tools.message(problem)
            return False
        obj = self.tools.panel.current()
        asked = self.prompt(obj.name if obj is not None else None)
        if asked is None:
            return False
        return self.start(asked)

    def click_from_selection(self) -> tuple[Any, ...]:
        """A positive click at the centre of the selected object's mask on the frame shown."""
        from isolde.providers.fal.sam3_schema import AssistPoint
        from isolde.video.mask_raster import bounding_box

        obj, frame = self.tools.panel.current(), self.tools.current_frame()
        if obj is None or frame is None:
            return ()
        mask = self.tools.shown_mask(obj, frame)
        box = bounding_box(mask) if mask is not None else None
        if box is None:
            return ()
        x, y, w, h = box
        return (AssistPoint(x + w / 2, y + h / 2, frame),)

    def start(self, asked: AssistAsk) -> bool:
        from isolde.providers.fal.sam3_assist import assist_mask, estimate_assist_cost

        video, project = self.tools.viewer.video, self.tools.project
        if video is None or project is None:
            return False
        usd, basis = estimate_assist_cost(video.reader.info)
        what = asked.text.strip() or "the clicked object"
        question = (
            f"Find “{what}” in every frame of {Path(video.path).name} with SAM 3 on fal?\n\n"
            f"Expected cost: about ${usd:.3f} ({basis}).\n\nSend it?"
        )
        if not self.confirm("Mask assist — send to fal", question):
            self.tools.message("Assist: not sent")
            return False
        if self.tools.task.running:
            self.tools.message(f"Wait for {self.tools.task.what} to finish, or cancel it")
            return False
        path, provider = Path(video.path), self.fal()
        name = asked.text.strip() or "assisted object"
        color = next_color(project.state)

        def work(progress: ProgressFn, cancel: CancelToken) -> Any:
            return assist_mask(
                path,
                text=asked.text,
                points=asked.points,
                name=name,
                color=color,
                provider=provider,
                progress=progress,
                cancel=cancel,
            )

        return self.tools.task.start(
            f"assist for “{what}”", work, lambda obj: self._arrived(project, obj)
        )

    def _arrived(self, project: Any, obj: Any) -> None:
        if project is not self.tools.project:
            self.tools.message("Assist finished, but its project was closed; nothing was added")
            return
        try:
            project.apply(f"Assist '{obj.name}'", lambda s: add_mask(s, obj))
        except IsoldeError as exc:
            self.tools.message(f"Assist: the mask could not be added ({exc})")
            return
        self.tools.state.set_object(obj.id)
        text = f"Assist: added '{obj.name}' with {len(obj.keyframes)} keyframes — edit it freely"
        self.tools.panel.show_task(False, 1.0, text)
        self.tools.message(text)

    # -- dialogs ----------------------------------------------------------------------------------
    def _ask_yes_no(self, title: str, text: str) -> bool:
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.tools.panel, title, text, buttons.Yes | buttons.No, buttons.No
        )
        return answer == buttons.Yes

    def _ask_prompt(self, selected: str | None) -> AssistAsk | None:
        dialog = AssistDialog(selected, bool(self.click_from_selection()), self.tools.panel)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        points = self.click_from_selection() if dialog.use_click.isChecked() else ()
        return AssistAsk(dialog.text.text(), points)


class AssistDialog(QDialog):
    def __init__(self, selected: str | None, can_click: bool, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mask assist (SAM 3 on fal)")
        self.text = QLineEdit()
        self.text.setPlaceholderText("What makes the sound, e.g. the dog, the drummer")
        self.use_click = QCheckBox(
            f"Click: the centre of '{selected}' on this frame" if selected else "Click: none"
        )
        self.use_click.setEnabled(can_click)
        self.use_click.setChecked(can_click)
        note = QLabel(
            "Describe the object, or draw roughly on it first and use that as a click. "
            "The price is shown before anything is sent."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("What is it?"))
        layout.addWidget(self.text)
        layout.addWidget(self.use_click)
        layout.addWidget(note)
        layout.addWidget(buttons)
