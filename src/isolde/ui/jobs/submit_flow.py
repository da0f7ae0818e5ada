"""Separate and Inpaint from the editor: plan from the project, check, confirm big jobs, send;
and, back on the GUI thread, bring each finished take into the project as an undoable step.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from isolde.core.errors import InputError, IsoldeError
from isolde.core.project import Project
from isolde.core.spans import new_id
from isolde.core.takes import Take
from isolde.jobs.naming import runs_here
from isolde.jobs.preparation import MASK_FILE, write_mask_spec
from isolde.jobs.record import JobRecord
from isolde.providers.base import Provider, TimeRange
from isolde.providers.registry import DEFAULT_PROVIDER, provider_names
from isolde.ui.common.edit_state import EditState
from isolde.ui.jobs.job_session import JobSession
from isolde.ui.jobs.readiness import inpaint_hint, separate_hint
from isolde.ui.jobs.request_plan import (
    INPAINT,
    SEPARATE,
    Plan,
    confirm_limits,
    key_problem,
    plan_inpaint,
    plan_separate,
    time_estimate,
)
from isolde.ui.results.take_activation import activates, arrival_message

Confirm = Callable[[str, str], bool]  # (title, question) → go ahead?
DEFER_MS = 250  # how often a finished take waits for the user's gesture to end


def load_take(take_file: Path) -> Take:
    """The take a job wrote (`take.json` beside its files), with absolute file paths."""
    try:
        data = json.loads(take_file.read_text(encoding="utf-8"))
        if data.get("format") != "isolde-take":
            raise ValueError(f"not a take file (format {data.get('format')!r})")
        return Take.from_json(data["take"]).resolved(take_file.parent)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{take_file}: cannot read the take ({exc})") from None


def describe_seconds(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class SubmitFlow(QObject):
    problems_changed = Signal(object)  # {field: message}; empty when all is well
    attempted = Signal()  # Separate or Inpaint was asked for (key status may have changed)
    message = Signal(str)  # for the status bar
    completed = Signal(str)  # a job ended (done, failed, unknown): announced by the window
    sent = Signal(object)  # the JobRecords just submitted

    def __init__(
        self,
        session: JobSession,
        edit_state: EditState,
        dialog_parent: QWidget | None = None,
        confirm: Confirm | None = None,
    ) -> None:
        super().__init__(dialog_parent)
        self.session = session
        self.edit_state = edit_state
        self.project: Project | None = None
        self.only_selection = False
        self.problems: dict[str, str] = {}
        self._dialog_parent = dialog_parent
        self.confirm: Confirm = confirm or self._ask
        self._providers: dict[str, Provider] = {}
        self._last_action = SEPARATE
        # Set by the window: True while the user is mid-gesture (a drag on the timeline).
        self.busy: Callable[[], bool] = lambda: False
        # Set by the window: True while the user compares two takes (A/B), whom a new take
        # must not interrupt (see ui.results.take_activation).
        self.comparing: Callable[[], bool] = lambda: False
        # Set by the Layers dock: True for a job whose take splits a layer (results.layer_split).
        self.claims: Callable[[JobRecord], bool] = lambda _record: False
        self._deferred: list[JobRecord] = []
        self._retry_deferred = QTimer(self, singleShot=True, interval=DEFER_MS)
        self._retry_deferred.timeout.connect(self._apply_deferred)
        session.finished.connect(self.job_finished)

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self._show({})

    # -- planning -----------------------------------------------------------------------------
    def provider(self, name: str | None = None) -> Provider:
        """The named engine, else the project's; an engine this version does not know (a
        project from elsewhere) reads as the default one, and `plan` says so."""
        if name is None:
            name = self.project.state.provider if self.project else DEFAULT_PROVIDER
        if name not in provider_names():
            name = DEFAULT_PROVIDER
        if name not in self._providers:
            self._providers[name] = self.session.providers(name)
        return self._providers[name]

    def selection(self) -> TimeRange | None:
        span = self.edit_state.in_out_range()
        return TimeRange(*span) if self.only_selection and span else None

    def plan(self, action: str) -> Plan:
        if self.project is None:
            raise InputError("open a recording or a project first")
        state, provider = self.project.state, self.provider()
        if action == INPAINT:
            plan = plan_inpaint(state, provider, self.edit_state.selected, self.selection())
        else:
            plan = plan_separate(state, provider, self.selection())
        if state.provider != provider.name:
            known = ", ".join(provider_names())
            problem = f"this project names the engine {state.provider!r}, unknown here ({known})"
            plan = replace(plan, problems={**plan.problems, "engine": problem})
        return plan

    def estimate_text(self, plan: Plan) -> str:
        """ "$0.10 · about 40 s (a rough guess)" for the line beside the buttons."""
        if not plan.jobs:
            return ""
        seconds, basis = time_estimate(plan.provider, plan.audio_s, self.session.records())
        cost = plan.cost_usd
        if plan.provider.capabilities.key_env is None:
            money = "free (this computer)"
        elif cost is None:
            money = "price not published"
        else:
            money = f"about ${cost:.2f}"
        jobs = f"{len(plan.jobs)} jobs · " if len(plan.jobs) > 1 else ""
        return f"{jobs}{money} · about {describe_seconds(seconds)} ({basis})"

    def revalidate(self) -> None:
        """After a refused attempt, follow the user's fixes: problems clear as they are solved."""
        if self.problems and self.project is not None:
            plan = self.plan(self._last_action)
            self._show({**plan.problems, **key_problem(plan.provider)})

    # -- sending ------------------------------------------------------------------------------
    def separate(self) -> list[JobRecord]:
        return self._send(SEPARATE)

    def inpaint(self) -> list[JobRecord]:
        return self._send(INPAINT)

    def _send(self, action: str) -> list[JobRecord]:
        self._last_action = action
        self.attempted.emit()
        try:
            plan = self.plan(action)
        except IsoldeError as exc:
            self.message.emit(str(exc))
            return []
        assert self.project is not None
        hint = (separate_hint if action == SEPARATE else inpaint_hint)(
            self.project.state, plan.provider
        )
        if hint is not None and "engine" not in plan.problems:
            # Nothing to send (the button is disabled too): one line, not the engine's problems.
            self._show({})
            self.message.emit(f"{action.capitalize()}: nothing sent — {hint}")
            return []
        problems = {**plan.problems, **key_problem(plan.provider)}
        self._show(problems)
        if problems:
            self.message.emit(f"{action.capitalize()}: nothing sent — see the Prompt panel")
            return []
        if plan.large and not self.confirm(f"{action.capitalize()} — a large job", self._why(plan)):
            declined = "not started" if runs_here(plan.provider.name) else "not sent"
            self.message.emit(f"{action.capitalize()}: {declined}")
            return []
        records = []
        try:
            for job in plan.jobs:
                job_id = new_id()  # the take folder is named after its job
                out_dir = self.project.takes_dir / job_id
                request = job.request
                if job.mask is not None:
                    # The mask video goes beside the take, where the recorded request points;
                    # the job renders it from the spec recorded here (again after a restart).
                    mask_path = out_dir / MASK_FILE
                    write_mask_spec(mask_path, job.mask)
                    request = replace(request, mask_path=str(mask_path))
                records.append(
                    self.session.submit(
                        plan.provider.name,
                        request,
                        out_dir,
                        label=job.label,
                        cost_estimate_usd=job.cost_usd,
                        job_id=job_id,
                    )
                )
        except IsoldeError as exc:
            self.message.emit(f"{action.capitalize()}: {exc}")
        if records:
            what = f"{len(records)} jobs" if len(records) > 1 else f"“{records[0].label}”"
            self.message.emit(f"Sent {what} to {plan.provider.title} — see the Jobs panel")
            self.sent.emit(records)
        return records

    def _why(self, plan: Plan) -> str:
        cost = plan.cost_usd
        lines = [
            f"This sends {describe_seconds(plan.audio_s)} of audio to {plan.provider.title}"
            + (f", expected to cost about ${cost:.2f}." if cost is not None else ".")
        ]
        if plan.provider.capabilities.price_note:
            lines.append(f"Price: {plan.provider.capabilities.price_note}.")
        lines.append("Send it?")
        return "\n\n".join(lines)

    def _show(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        self.problems_changed.emit(self.problems)

    def _ask(self, title: str, text: str) -> bool:
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self._dialog_parent, title, text, buttons.Yes | buttons.No, buttons.No
        )
        return answer == buttons.Yes

    # -- jobs panel commands ------------------------------------------------------------------
    def cancel(self, job_id: str) -> None:
        record = self.session.cancel(job_id)
        self.message.emit(f"Cancelling “{record.label}”")

    def retry(self, job_id: str) -> JobRecord | None:
        old = self.session.get(job_id)
        if old is None or self.project is None:
            return None
        if old.state == "unknown" and not self.confirm(
            "Retry — the first may exist",
            f"{old.message}\n\nRetrying sends the job again as a new one and may be billed again. "
            "Retry?",
        ):
            return None
        cost = old.cost_estimate_usd or 0.0
        if cost > confirm_limits()[0] and not self.confirm(
            "Retry — a large job", f"This job is expected to cost about ${cost:.2f}. Retry?"
        ):
            return None
        record = self.session.retry(job_id, self.project.takes_dir / new_id())
        self.message.emit(f"Retrying “{record.label}” as a new job")
        return record

    def open_take(self, job_id: str) -> Take | None:
        """Make a finished job's take the project's active take (adding it if it is missing)."""
        record = self.session.get(job_id)
        if record is None or record.state != "done" or not record.take_file:
            raise InputError("only a finished job has a take to open")
        return self._apply(record, make_active=True)

    def job_finished(self, record: JobRecord) -> None:
        """A job this session started or resumed ended: report it; a take goes in the project.

        Never raises or focuses anything: the user may be typing elsewhere.
        """
        if self.claims(record):
            return  # a layer's split: LayerSplit adds its take with split_layer
        if record.state == "done" and self._mid_edit():
            self._deferred.append(record)  # a take must not join the user's half-done edit
            self._retry_deferred.start()
            return
        if record.state == "done":
            try:
                active = activates(comparing=self.comparing())
                take = self._apply(record, make_active=active)
            except IsoldeError as exc:
                self.message.emit(f"Job “{record.label}” finished, but: {exc}")
                return
            if take is not None:
                what = "Inpainting" if record.kind == "inpaint" else "Separation"
                self.completed.emit(f"{what} finished — {arrival_message(take, active=active)}")
        elif record.state == "failed":
            self.completed.emit(f"Job failed: “{record.label}” — {record.message}")
        elif record.state == "unknown":
            self.completed.emit(f"Job state unknown: “{record.label}” — see the Jobs panel")

    def _mid_edit(self) -> bool:
        project = self.project
        return project is not None and (project.history.in_group or self.busy())

    def _apply_deferred(self) -> None:
        records, self._deferred = self._deferred, []
        for record in records:
            self.job_finished(record)

    def _apply(self, record: JobRecord, *, make_active: bool) -> Take | None:
        project = self.project
        if project is None or project.state.media is None:
            return None
        media = str(record.request.get("media_path", ""))
        if os.path.normcase(os.path.abspath(media)) != os.path.normcase(
            os.path.abspath(project.state.media.path)
        ):
            raise InputError(f"this job's take belongs to another recording ({media})")
        take = load_take(Path(record.take_file or ""))
        if any(t.id == take.id for t in project.state.takes):
            if make_active:
                project.set_active_take(take.id)
        else:
            project.add_take(take, make_active=make_active)
        return take
