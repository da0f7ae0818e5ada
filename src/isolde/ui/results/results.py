"""Results side by side: the active take (A) and the take it is compared with (B), opened for
listening and drawing, what is heard, the remix gains, and Apply.

Listening is the user's, not the project's (like the playhead): switching what is heard only
sets lane gains on the one playing stream. Which take is active and what is applied are the
project's, changed through it (undoable). Take files are opened on a worker thread and picked up
by a timer; the worker touches no Qt object and no live project.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, Signal

from isolde.audio import AudioSource
from isolde.core.errors import Cancelled, IsoldeError
from isolde.core.progress import CancelToken
from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.core.takes import Take
from isolde.jobs.naming import short_range
from isolde.ui.common.edit_state import EditState
from isolde.ui.common.media_loads import drop_load
from isolde.ui.common.subscription import Subscription
from isolde.ui.playback.transport import Transport
from isolde.ui.results.apply_range import chosen_range, edit_for, range_for, whole_file
from isolde.ui.results.compare_audition import CompareAudition
from isolde.ui.results.listen_mix import (
    B_PREFIX,
    ORIGINAL,
    REMIX,
    Listening,
    describe,
    heard_lanes,
    lane_settings,
)
from isolde.ui.results.take_info import take_title
from isolde.ui.results.take_media import TakeMedia, open_take_media
from isolde.ui.timeline.take_lanes import LaneSpec, lane_colour
from isolde.ui.timeline.timeline_widget import TimelineWidget

SIDES = {"a": "", "b": B_PREFIX}
POLL_MS = 30


class Results(QObject):
    changed = Signal()  # listening, the takes, the edits or the compared take changed
    marks_changed = Signal()  # spans or regions changed (the range Apply would use)
    message = Signal(str)

    def __init__(
        self,
        transport: Transport,
        timeline: TimelineWidget,
        edit_state: EditState,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.transport, self.timeline, self.edit_state = transport, timeline, edit_state
        self.project: Project | None = None
        self.source: AudioSource | None = None
        self.listening = Listening()
        self.compare_id: str | None = None
        self.media: dict[str, TakeMedia | None] = {"a": None, "b": None}
        self._loading: dict[str, tuple[str, Future[TakeMedia], CancelToken]] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="isolde-takes")
        self._subscription = Subscription()
        self._seen: tuple[object, ...] = ()  # what the panels last showed of the project
        self._marks_seen: tuple[object, ...] = ()
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._check_loads)
        self.audition = CompareAudition(self)  # the tries of a comparison, heard in sync
        self.audition.changed.connect(self._push)

    # -- document -------------------------------------------------------------------------
    def set_document(self, project: Project | None, source: AudioSource | None) -> None:
        """Call after the transport has the new source (the old take files are closed here)."""
        self._subscription.stop()
        self.project, self.source = project, source
        self.compare_id = None
        self.listening = Listening()
        self.audition.clear(notify=False)  # the transport's new source has dropped its lanes
        for side in SIDES:
            self._cancel_load(side)
            self._install(side, None, push=False)
        self.timeline.set_take_lanes([])
        self._seen = self._marks_seen = ()
        if source is not None:
            self._apply_mix()  # nothing of the last file's listening carries over
        self._subscription.follow(project, lambda state, _reason: self._sync(state))
        if project is not None:
            self._sync(project.state)
        self.changed.emit()

    @property
    def loading(self) -> bool:
        return bool(self._loading)

    @property
    def lane_names(self) -> list[str]:
        names = [ORIGINAL]
        for side, prefix in SIDES.items():
            media = self.media[side]
            if media is not None:
                names += [prefix + role for role in media.roles]
        return names + self.audition.lane_names()

    @property
    def comparing(self) -> bool:
        """A B take is set: a take that arrives now does not take A's place."""
        return self.compare_id is not None or self.audition.holds_takes

    def take(self, side: str) -> Take | None:
        media = self.media[side]
        return media.take if media is not None else None

    @property
    def heard_take(self) -> Take | None:
        """The take whose lanes are heard (B while hearing B), else the active one."""
        heard = heard_lanes(self.listening, self.lane_names)
        if any(name.startswith(B_PREFIX) for name in heard):
            return self.take("b")
        state = self.project.state if self.project else None
        return state.current_take if state else None

    def _sync(self, state: ProjectState) -> None:
        ids = {t.id for t in state.takes}
        if self.compare_id not in ids:
            self.compare_id = None
        active = state.active_take if state.active_take in ids else None
        compare = self.compare_id if self.compare_id != active else None
        for side, want in (("a", active), ("b", compare)):
            if want != self._wanted(side):
                self._load(side, state.take(want) if want else None)
        self._follow_renames(state)
        self.audition.sync(state)
        # Drags and typing change the state many times a second: the panels only redraw
        # when what they show changed.
        seen = (state.takes, state.active_take, state.edits, self.compare_id)
        if seen != self._seen:
            self._seen = seen
            self.changed.emit()
        if (state.spans, state.regions) != self._marks_seen:
            self._marks_seen = (state.spans, state.regions)
            self.marks_changed.emit()

    def _follow_renames(self, state: ProjectState) -> None:
        """A shown take renamed (or otherwise changed in the project): new lane labels."""
        changed = False
        takes = {t.id: t for t in state.takes}
        for media in self.media.values():
            current = takes.get(media.take_id) if media is not None else None
            if media is not None and current is not None and current is not media.take:
                changed = changed or current != media.take
                media.take = current
        if changed:
            self.timeline.take_lanes.relabel({s.name: s.label for s in self._lane_specs()})

    def _wanted(self, side: str) -> str | None:
        if side in self._loading:
            return self._loading[side][0]
        media = self.media[side]
        return media.take_id if media else None

    # -- loading take files ---------------------------------------------------------------
    def _load(self, side: str, take: Take | None) -> None:
        self._cancel_load(side)
        if take is None or self.source is None:
            self._install(side, None)
            return
        token = CancelToken()
        future = self._executor.submit(open_take_media, take, self.source.sample_rate, token)
        self._loading[side] = (take.id, future, token)
        self._poll.start()

    def _cancel_load(self, side: str) -> None:
        pending = self._loading.pop(side, None)
        if pending is not None:
            _, future, token = pending
            drop_load(future, token)

    def _check_loads(self) -> None:
        for side, (_take_id, future, _token) in list(self._loading.items()):
            if not future.done():
                continue
            del self._loading[side]
            try:
                media = future.result()
            except Cancelled:
                continue
            except IsoldeError as exc:
                self.message.emit(f"Cannot show the take: {exc}")
                media = None
            except Exception as exc:  # a bug must not leave the lanes half set up
                self.message.emit(f"Cannot show the take: {type(exc).__name__}: {exc}")
                media = None
            self._install(side, media)
        if not self._loading:
            self._poll.stop()

    def _install(self, side: str, media: TakeMedia | None, *, push: bool = True) -> None:
        old, self.media[side] = self.media[side], media
        if push:
            self._push()
            self.changed.emit()
        if old is not None:
            old.close()  # after the player and the timeline have let go of it

    def _lane_specs(self) -> list[LaneSpec]:
        specs: list[LaneSpec] = []
        comparing = self.media["b"] is not None
        for side, prefix in SIDES.items():
            media = self.media[side]
            if media is None:
                continue
            title = take_title(media.take)
            for role in media.roles:
                tag = f"{side.upper()} · " if comparing else ""
                label = f"{tag}{role.capitalize()} — {title}"
                colour = lane_colour(role, side == "b")
                specs.append(LaneSpec(prefix + role, label, media.pyramids[role], colour))
        return specs + self.audition.specs()

    def _push(self) -> None:
        lanes: dict[str, AudioSource] = {}
        for side, prefix in SIDES.items():
            media = self.media[side]
            if media is not None:
                lanes.update({prefix + role: media.sources[role] for role in media.roles})
        lanes.update(self.audition.lanes())  # type: ignore[arg-type]
        self.transport.set_lanes(lanes)
        self.timeline.set_take_lanes(self._lane_specs())
        self._apply_mix()

    def _apply_mix(self) -> None:
        names, audition = self.lane_names, self.audition
        if audition.heard and audition.ready:  # a try is chosen: solo its lanes
            self.transport.apply_mix(audition.settings(self.listening, names))
            self.timeline.take_lanes.set_heard(audition.heard_names(self.listening, names))
            return
        self.transport.apply_mix(lane_settings(self.listening, names))
        self.timeline.take_lanes.set_heard(heard_lanes(self.listening, names))

    def _listen(self, listening: Listening, *, announce: bool = True) -> None:
        self.listening = listening
        self._apply_mix()
        if announce:
            self.message.emit(describe(listening, self.lane_names, edited=self.transport.edited))
        self.changed.emit()

    # -- commands -------------------------------------------------------------------------
    def listen(self, mode: str) -> None:
        """Hear the original, the target, the residual or the remix (keys 1–4)."""
        self._listen(self.listening.with_mode(mode))

    def hear_try(self, number: int) -> None:
        """Alt+1…4: hear try `number` of the comparison (1–4 then choose its part)."""
        text = self.audition.choose(number, self.listening)
        if self.listening.mode == ORIGINAL and self.audition.heard:
            self.listening = self.listening.with_mode(self.listening.last_result)
            text = self.audition.choose(number, self.listening)
        self._listen(self.listening, announce=False)
        self.message.emit(text)

    def keep_try(self) -> str | None:
        """Keep the try being heard: it becomes the active take (undoable); auditioning ends."""
        take_id = self.audition.chosen_take if self.audition.heard else None
        if take_id is None or self.project is None:
            self.message.emit("Choose a try first (Alt+1…Alt+4), then keep it")
            return None
        self.audition.heard = False
        self.project.set_active_take(take_id)
        self.listening = replace(self.listening, side="a")
        self._listen(self.listening, announce=False)
        title = self.audition.chosen_title(self.project.state)
        self.message.emit(f"Kept “{title}” as the active take — Ctrl+Z goes back")
        return take_id

    def toggle_ab(self) -> None:
        """B: take A ↔ take B when comparing, else the original ↔ the take."""
        if self.audition.heard:  # B leaves the tries for the takes
            self.audition.heard = False
        self._listen(self.listening.toggled(self.media["b"] is not None))

    def set_gains(self, target_db: float, residual_db: float | None) -> None:
        """The remix gains, heard at once: moving them switches to the remix."""
        listening = replace(self.listening, target_gain_db=target_db, residual_gain_db=residual_db)
        self._listen(listening.with_mode(REMIX), announce=self.listening.mode != REMIX)

    def set_muted(self, role: str, muted: bool) -> None:
        self._listen(self.listening.with_mute(role, muted), announce=False)

    def set_compare(self, take_id: str | None) -> None:
        """Compare the active take with `take_id` (None: stop comparing)."""
        self.compare_id = take_id
        if take_id is None and self.listening.side == "b":
            self.listening = replace(self.listening, side="a")
        if self.project is not None:
            self._sync(self.project.state)

    def make_active(self, take_id: str) -> None:
        if self.project is not None:
            self.project.set_active_take(take_id)

    def apply(self, *, whole: bool = False) -> str | None:
        """Write the heard take into the project over the chosen range (one undo step)."""
        take, project, source = self.heard_take, self.project, self.source
        if take is None or project is None or source is None:
            self.message.emit("No take to apply: run a job, or pick one in the Takes list")
            return None
        duration = source.duration
        picked = (
            None
            if whole
            else chosen_range(
                project.state, self.edit_state.selected, self.edit_state.in_out_range()
            )
        )
        rng = range_for(take, whole_file(duration) if whole else picked, duration)
        try:
            edit_id = project.apply_edit(edit_for(take, self.listening, rng, duration))
        except IsoldeError as exc:
            self.message.emit(f"Cannot apply: {exc}")
            return None
        kind = "repair" if take.kind == "inpaint" else "remix"
        self.message.emit(
            f"Applied the {kind} of “{take_title(take)}” to {rng.what} "
            f"({short_range(rng.start, rng.end)}) — undo with Ctrl+Z"
        )
        return edit_id

    def close(self) -> None:
        self._subscription.stop()
        self._poll.stop()
        self.audition.changed.disconnect(self._push)
        self.audition.close()
        for side in SIDES:
            self._cancel_load(side)
            media, self.media[side] = self.media[side], None
            if media is not None:
                media.close()
        self._executor.shutdown(wait=False, cancel_futures=True)
