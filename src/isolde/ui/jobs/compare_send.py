"""Compare from the editor: send every try of a `ComparePlan` as its own job (one take folder
each, in the project's takes folder) and remember which jobs make up the comparison, so that
their takes can be lined up and auditioned together as they arrive."""

from __future__ import annotations

from dataclasses import dataclass, field

from isolde.core.errors import IsoldeError
from isolde.core.spans import new_id
from isolde.jobs.record import JobRecord
from isolde.ui.jobs.compare_plan import ComparePlan
from isolde.ui.jobs.request_plan import confirm_limits, sent_seconds
from isolde.ui.jobs.submit_flow import SubmitFlow, describe_seconds


@dataclass
class CompareGroup:
    """The jobs of one comparison in the order of its tries, and the takes that came back."""

    id: str
    jobs: tuple[str, ...]
    names: tuple[str, ...]
    takes: dict[str, str] = field(default_factory=dict)  # job id → take id
    ended: set[str] = field(default_factory=set)  # jobs that finished, failed or were cancelled

    @property
    def pending(self) -> bool:
        return not set(self.jobs) <= self.ended

    def take_ids(self) -> list[str]:
        """The arrived takes in try order (a failed try leaves no gap: 1…N are what came back)."""
        return [self.takes[j] for j in self.jobs if j in self.takes]


def send_compare(flow: SubmitFlow, plan: ComparePlan) -> CompareGroup | None:
    """Send all tries (after a confirmation when the total is large); None when nothing went."""
    project = flow.project
    if project is None or not plan.ok:
        flow.message.emit("Compare: nothing sent — " + "; ".join(plan.problems.values()))
        return None
    cost = plan.cost_usd or 0.0
    duration = project.state.media.duration if project.state.media else 0.0
    seconds = sum(sent_seconds(p.request, duration) for p in plan.tries)
    if cost > confirm_limits()[0] and not flow.confirm(
        "Compare — a large request",
        f"This sends {len(plan.tries)} tries ({describe_seconds(seconds)} of audio in all), "
        f"expected to cost {plan.cost_text}.\n\nSend them?",
    ):
        flow.message.emit("Compare: not sent")
        return None
    records: list[JobRecord] = []
    try:
        for p in plan.tries:
            job_id = new_id()
            records.append(
                flow.session.submit(
                    p.provider.name,
                    p.request,
                    project.takes_dir / job_id,
                    label=f"Compare {p.index}: {p.attempt.name}",
                    cost_estimate_usd=p.cost_usd,
                    job_id=job_id,
                )
            )
    except IsoldeError as exc:
        flow.message.emit(f"Compare: {exc}")
    if not records:
        return None
    flow.message.emit(f"Sent {len(records)} tries to compare ({plan.cost_text}) — see Jobs")
    flow.sent.emit(records)
    names = tuple(p.attempt.name for p in plan.tries[: len(records)])
    return CompareGroup(new_id(), tuple(r.id for r in records), names)
