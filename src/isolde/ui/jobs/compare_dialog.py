"""Jobs → Compare…: choose up to four tries (an engine and its options) for the project's marks
and prompt; each try's estimate and the total are shown, and refreshed, before anything is sent."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from isolde.core.errors import InputError
from isolde.jobs.compare import Try, parse_try
from isolde.providers.registry import provider_names
from isolde.ui.common.theme import mark_error
from isolde.ui.jobs.compare_plan import ComparePlan, default_tries, plan_compare
from isolde.ui.jobs.compare_send import CompareGroup, send_compare
from isolde.ui.jobs.submit_flow import SubmitFlow

MAX_ROWS = 4  # Alt+1…Alt+4 choose among them


class CompareDialog(QDialog):
    def __init__(
        self,
        flow: SubmitFlow,
        on_sent: Callable[[CompareGroup], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.flow, self.on_sent = flow, on_sent
        self.setWindowTitle("Compare engines")
        self.setAccessibleName("Compare engines")
        intro = QLabel(
            "The same marks and prompt go to every try at once. The takes line up in the "
            "timeline: Alt+1…Alt+4 choose a try, 1–4 what of it you hear; Keep try keeps one."
        )
        intro.setWordWrap(True)
        self.grid = QGridLayout()
        for col, text in enumerate(("", "Engine", "Options (KEY=VALUE, …)", "Estimate")):
            self.grid.addWidget(QLabel(f"<b>{text}</b>"), 0, col)
        self.engines: list[QComboBox] = []
        self.options: list[QLineEdit] = []
        self.costs: list[QLabel] = []
        for row in range(MAX_ROWS):
            engine = QComboBox()
            engine.addItem("— none —", "")
            for name in provider_names():
                engine.addItem(flow.provider(name).title, name)
            engine.setAccessibleName(f"Try {row + 1} engine")
            options = QLineEdit()
            options.setPlaceholderText("e.g. reranking_candidates=4")
            options.setAccessibleName(f"Try {row + 1} options")
            cost = QLabel()
            self.grid.addWidget(QLabel(f"Try {row + 1}"), row + 1, 0)
            self.grid.addWidget(engine, row + 1, 1)
            self.grid.addWidget(options, row + 1, 2)
            self.grid.addWidget(cost, row + 1, 3)
            engine.currentIndexChanged.connect(self.refresh)
            options.textChanged.connect(self.refresh)
            self.engines.append(engine)
            self.options.append(options)
            self.costs.append(cost)
        self.total = QLabel()
        self.total.setAccessibleName("Estimated total cost")
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        mark_error(self.problems)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = QPushButton("Send all tries")
        self.buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.grid)
        layout.addWidget(self.total)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.plan = ComparePlan()
        state = flow.project.state if flow.project else None
        if state is not None:
            self.set_tries(default_tries(state, provider_names()))
        self.refresh()

    def set_tries(self, tries: list[Try]) -> None:
        for row in range(MAX_ROWS):
            attempt = tries[row] if row < len(tries) else None
            engine, options = self.engines[row], self.options[row]
            engine.blockSignals(True)
            options.blockSignals(True)
            engine.setCurrentIndex(engine.findData(attempt.provider) if attempt else 0)
            options.setText(
                ",".join(f"{k}={v}" for k, v in attempt.options.items()) if attempt else ""
            )
            engine.blockSignals(False)
            options.blockSignals(False)
        self.refresh()

    def tries(self) -> tuple[list[Try], dict[str, str]]:
        """The rows with an engine, as tries; rows whose options do not parse are problems."""
        out, problems = [], {}
        for row in range(MAX_ROWS):
            name = self.engines[row].currentData()
            if not name:
                continue
            text = self.options[row].text().strip()
            try:
                out.append(parse_try(f"{name}:{text}" if text else name))
            except InputError as exc:
                problems[f"{row + 1}:options"] = f"try {row + 1}: {exc}".replace("--try ", "")
        return out, problems

    def refresh(self) -> None:
        project = self.flow.project
        tries, problems = self.tries()
        if project is None:
            self.plan = ComparePlan(problems={"media": "open a recording first"})
        else:
            self.plan = plan_compare(
                project.state, tries, self.flow.selection(), providers=self.flow.provider
            )
        problems = {**self.plan.problems, **problems}
        planned = iter(self.plan.tries)
        for row in range(MAX_ROWS):
            text = ""
            if self.engines[row].currentData():
                p = next(planned, None)
                if p is not None:
                    text = "free" if p.provider.capabilities.key_env is None else "—"
                    text = f"${p.cost_usd:.3f}" if p.cost_usd is not None else text
            self.costs[row].setText(text)
        self.total.setText(f"Estimated total: {self.plan.cost_text}" if self.plan.tries else "")
        self.problems.setText("\n".join(problems.values()))
        self.send_button.setEnabled(self.plan.ok and not problems)

    def send(self) -> None:
        self.refresh()
        if not self.send_button.isEnabled():
            return
        group = send_compare(self.flow, self.plan)
        if group is not None:
            self.on_sent(group)
            self.accept()
