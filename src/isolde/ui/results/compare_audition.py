"""The tries of one comparison, opened side by side for listening in sync (see compare_listen).

Owned by `Results`: it opens each try's take as it arrives in the project (on a worker thread,
picked up by a timer), hands Results the lanes to play and draw, and, while the user auditions
(`heard`), the settings that solo the chosen try. Keeping a try goes through the project
(undoable): made active, or split into layers with `core.layers.split_layer`.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal

from isolde.audio.mixer import LaneSettings
from isolde.core.errors import Cancelled, IsoldeError
from isolde.core.progress import CancelToken
from isolde.core.state import ProjectState
from isolde.ui.common.media_loads import drop_load
from isolde.ui.jobs.compare_send import CompareGroup
from isolde.ui.results.compare_listen import describe_try, try_heard, try_prefix, try_settings
from isolde.ui.results.listen_mix import Listening
from isolde.ui.results.take_info import take_title
from isolde.ui.results.take_media import TakeMedia, open_take_media
from isolde.ui.timeline.take_lanes import LaneSpec, lane_colour

POLL_MS = 30


class CompareAudition(QObject):
    changed = Signal()  # a try's lanes opened or went: Results pushes the lanes again

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.group: CompareGroup | None = None
        self.index = 0  # the chosen try, 0-based among the arrived ones
        self.heard = False  # True while the user auditions the tries (Alt+1…4)
        self.media: dict[str, TakeMedia] = {}  # take id → its opened files
        self.sample_rate = 0
        self._loading: dict[str, tuple[Future[TakeMedia], CancelToken]] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="isolde-tries")
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._check_loads)

    # -- the group --------------------------------------------------------------------------
    def start(self, group: CompareGroup, sample_rate: int) -> None:
        self.clear()
        self.group, self.sample_rate = group, sample_rate

    def clear(self, *, notify: bool = True) -> None:
        """Forget the comparison. `notify=False` when the player has already let go of the
        lanes (a new document: the transport's new source dropped them)."""
        for take_id in list(self._loading):
            self._cancel(take_id)
        media, self.media = self.media, {}
        self.group, self.index, self.heard = None, 0, False
        if media and notify:
            self.changed.emit()  # Results lets go of the lanes before they are closed
        for m in media.values():
            m.close()

    def arrived(self, job_id: str, take_id: str | None) -> None:
        """A try's job ended, with this take (it joins when the project holds it) or none."""
        if self.group is not None and job_id in self.group.jobs:
            self.group.ended.add(job_id)
            if take_id is not None:
                self.group.takes[job_id] = take_id

    @property
    def take_ids(self) -> list[str]:
        return self.group.take_ids() if self.group is not None else []

    @property
    def holds_takes(self) -> bool:
        """Some try came back and others are on their way, or the user is auditioning: a take
        that arrives now must not take the active take's place."""
        group = self.group
        return group is not None and bool(group.takes) and (group.pending or self.heard)

    @property
    def ready(self) -> list[str]:
        """The arrived takes whose files are open, in try order: what Alt+1…4 choose among."""
        return [t for t in self.take_ids if t in self.media]

    def name(self, take_id: str) -> str:
        group = self.group
        if group is None:
            return ""
        job = next((j for j, t in group.takes.items() if t == take_id), None)
        return group.names[group.jobs.index(job)] if job in group.jobs else ""

    def sync(self, state: ProjectState) -> None:
        """Open the tries the project now holds; forget those it no longer holds (undo)."""
        if self.group is None:
            return
        takes = {t.id: t for t in state.takes}
        gone = [t for t in list(self.media) + list(self._loading) if t not in takes]
        for take_id in gone:
            self._cancel(take_id)
            media = self.media.pop(take_id, None)
            if media is not None:
                self.changed.emit()
                media.close()
        for take_id in self.take_ids:
            if take_id in takes and take_id not in self.media and take_id not in self._loading:
                token = CancelToken()
                future = self._executor.submit(
                    open_take_media, takes[take_id], self.sample_rate, token
                )
                self._loading[take_id] = (future, token)
                self._poll.start()
        self.index = min(self.index, max(len(self.ready) - 1, 0))

    def _cancel(self, take_id: str) -> None:
        pending = self._loading.pop(take_id, None)
        if pending is not None:
            drop_load(*pending)

    def _check_loads(self) -> None:
        for take_id, (future, _token) in list(self._loading.items()):
            if not future.done():
                continue
            del self._loading[take_id]
            try:
                self.media[take_id] = future.result()
            except (Cancelled, IsoldeError):
                continue  # a take that will not open is simply not among the tries
            self.changed.emit()
        if not self._loading:
            self._poll.stop()

    # -- what Results plays and draws -------------------------------------------------------
    def lanes(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for i, take_id in enumerate(self.ready):
            media = self.media[take_id]
            out.update({try_prefix(i) + role: media.sources[role] for role in media.roles})
        return out

    def lane_names(self) -> list[str]:
        return list(self.lanes())

    def specs(self) -> list[LaneSpec]:
        """One lane per try (its target, or its only result) drawn under the take lanes."""
        specs = []
        for i, take_id in enumerate(self.ready):
            media = self.media[take_id]
            role = "target" if "target" in media.roles else media.roles[0]
            label = f"Try {i + 1} (Alt+{i + 1}) · {role.capitalize()} — {self.name(take_id)}"
            specs.append(
                LaneSpec(
                    try_prefix(i) + role, label, media.pyramids[role], lane_colour(role, i % 2 == 1)
                )
            )
        return specs

    def settings(self, listening: Listening, names: Iterable[str]) -> dict[str, LaneSettings]:
        return try_settings(listening, self.index, names)

    def heard_names(self, listening: Listening, names: Iterable[str]) -> set[str]:
        return try_heard(listening, self.index, names)

    def choose(self, number: int, listening: Listening) -> str:
        """Hear try `number` (1-based); the status line to show."""
        ready = self.ready
        if not ready:
            return "No comparison to audition: Jobs → Compare… sends one request to several engines"
        if not 1 <= number <= len(ready):
            return f"Only {len(ready)} tries have come back so far"
        self.index, self.heard = number - 1, True
        return describe_try(listening, self.index, self.name(ready[self.index]), len(ready))

    @property
    def chosen_take(self) -> str | None:
        ready = self.ready
        return ready[self.index] if ready else None

    def chosen_title(self, state: ProjectState) -> str:
        take = state.take(self.chosen_take) if self.chosen_take else None
        return take_title(take) if take is not None else ""

    def close(self) -> None:
        self._poll.stop()
        self.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)
