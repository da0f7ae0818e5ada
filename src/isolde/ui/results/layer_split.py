"""Split a layer: the current marks, prompt and engine run on that layer's audio, and the take
that comes back splits it in two (target and residual), as one undoable step.

Planning and sending are the Separate button's (`plan_separate`, the same checks and the same
large-job question); only the media differs: the layer's own file (a take file, the recording
for the source, or a render of a merged layer). The take is not the recording's, so the submit
flow does not add it; this flow does, by `split_layer`, when the job it sent finishes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from isolde.core.errors import IsoldeError
from isolde.core.layers import get_layer, split_layer
from isolde.core.project import Project
from isolde.core.spans import new_id
from isolde.jobs.record import JobRecord
from isolde.ui.jobs.readiness import separate_hint
from isolde.ui.jobs.request_plan import key_problem, plan_separate
from isolde.ui.jobs.submit_flow import SubmitFlow, load_take
from isolde.ui.results.layer_media import CACHE_FOLDER, layer_file

DEFER_MS = 250  # how often a finished split waits for the user's gesture to end


@dataclass(frozen=True)
class PendingSplit:
    project: Project
    layer_id: str
    layer_name: str


class LayerSplit(QObject):
    message = Signal(str)
    split_done = Signal(str)  # the id of the layer just split

    def __init__(self, flow: SubmitFlow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.flow = flow
        self.pending: dict[str, PendingSplit] = {}  # by job id
        self.sent: set[str] = set()  # every job Split sent in this session, finished or not
        self._deferred: list[JobRecord] = []
        self._retry = QTimer(self, singleShot=True, interval=DEFER_MS)
        self._retry.timeout.connect(self._apply_deferred)
        flow.session.finished.connect(self.job_finished)

    def split(self, project: Project, layer_id: str) -> JobRecord | None:
        """Send the current request on the layer's audio; None (and a message) if not sent."""
        try:
            return self._send(project, layer_id)
        except IsoldeError as exc:
            self.message.emit(f"Split: nothing sent — {exc}")
            return None

    def _send(self, project: Project, layer_id: str) -> JobRecord | None:
        state, flow = project.state, self.flow
        layer = get_layer(state, layer_id)
        if not layer.is_leaf:
            raise IsoldeError(f"“{layer.name}” is already split; split one of its parts")
        provider = flow.provider()
        hint = separate_hint(state, provider)
        if hint is not None:
            raise IsoldeError(hint)
        plan = plan_separate(state, provider, flow.selection())
        problems = {**plan.problems, **key_problem(provider)}
        if problems:
            raise IsoldeError(next(iter(problems.values())))
        if len(plan.jobs) != 1 or plan.jobs[0].mask is not None:
            raise IsoldeError("a layer splits by a prompt or spans, not by a video mask")
        question = f"Split “{layer.name}” with {provider.title}: {plan.jobs[0].label}?"
        if plan.large and not flow.confirm("Split — a large job", question):
            self.message.emit("Split: not sent")
            return None
        job = plan.jobs[0]
        media = layer_file(state, layer, project.takes_dir / CACHE_FOLDER)
        job_id = new_id()  # the take folder is named after its job
        record = flow.session.submit(
            provider.name,
            replace(job.request, media_path=str(media)),
            project.takes_dir / job_id,
            label=f"Split “{layer.name}”: {job.label}",
            cost_estimate_usd=job.cost_usd,
            job_id=job_id,
        )
        self.pending[record.id] = PendingSplit(project, layer_id, layer.name)
        self.sent.add(record.id)
        self.message.emit(f"Splitting “{layer.name}” with {provider.title} — see the Jobs panel")
        return record

    def claims(self, record: JobRecord) -> bool:
        """True for a job Split sent: its take is a layer's, not one for the submit flow."""
        return record.id in self.sent

    def job_finished(self, record: JobRecord) -> None:
        pending = self.pending.get(record.id)
        if pending is None:
            return
        if record.state == "done" and (pending.project.history.in_group or self.flow.busy()):
            self._deferred.append(record)  # the split must not join the user's half-done edit
            self._retry.start()
            return
        del self.pending[record.id]
        if record.state != "done":
            self.message.emit(f"Split of “{pending.layer_name}” did not finish: {record.message}")
            return
        try:
            take = load_take(Path(record.take_file or ""))
            pending.project.apply("Split layer", lambda s: split_layer(s, pending.layer_id, take))
        except IsoldeError as exc:
            self.message.emit(f"Split of “{pending.layer_name}” finished, but: {exc}")
            return
        self.message.emit(f"Split “{pending.layer_name}” in two — undo with Ctrl+Z")
        self.split_done.emit(pending.layer_id)

    def _apply_deferred(self) -> None:
        records, self._deferred = self._deferred, []
        for record in records:
            self.job_finished(record)
