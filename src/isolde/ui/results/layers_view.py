"""The leaf layers heard and drawn: lanes under the takes, played through the one stream.

The layers' gain, mute and solo are the project's (undoable, saved); whether the layers are
heard at all is the user's listening, like keys 1–4: "Hear layers" switches the stream to the
leaves (the take lanes fall silent in the same ramp), and 1–4 switch back. Leaf files are
opened on a worker thread and picked up by a timer, as the take lanes are.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor

from isolde.audio import AudioSource
from isolde.audio.mixer import LaneSettings
from isolde.core.errors import Cancelled, IsoldeError
from isolde.core.layers import Layer, layer_colour, leaves
from isolde.core.progress import CancelToken
from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.ui.common.media_loads import drop_load
from isolde.ui.common.subscription import Subscription
from isolde.ui.playback.transport import Transport
from isolde.ui.results.layer_media import CACHE_FOLDER, LayerMedia, media_key, open_layer_media
from isolde.ui.results.results import Results
from isolde.ui.timeline.layer_lanes import layer_lane
from isolde.ui.timeline.take_lanes import LaneSpec
from isolde.ui.timeline.timeline_widget import TimelineWidget

POLL_MS = 30


def split_leaves(state: ProjectState) -> tuple[Layer, ...]:
    """The leaves worth a lane: none while the project is unsplit (the source is the original)."""
    return leaves(state) if state.layers else ()


def lane_label(layer: Layer) -> str:
    muted = " (muted)" if layer.mute else " (solo)" if layer.solo else ""
    gain = f" {layer.gain_db:+.1f} dB" if layer.gain_db else ""
    return f"{layer.name}{gain}{muted}"


def layer_settings(layers: tuple[Layer, ...]) -> dict[str, LaneSettings]:
    return {layer_lane(x.id): LaneSettings(x.gain_db, x.mute, x.solo) for x in layers}


def heard_names(layers: tuple[Layer, ...]) -> list[str]:
    soloing = any(x.solo for x in layers)
    return [x.name for x in layers if not x.mute and (x.solo or not soloing)]


class LayersView(QObject):
    changed = Signal()  # the leaves, their mix, or whether they are heard changed
    message = Signal(str)

    def __init__(
        self, transport: Transport, timeline: TimelineWidget, results: Results, parent=None
    ) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.transport, self.timeline, self.results = transport, timeline, results
        self.project: Project | None = None
        self.source: AudioSource | None = None
        self.heard = False
        self.media: LayerMedia | None = None
        self._keys: tuple[object, ...] = ()  # what the opened (or loading) media holds
        self._shown: tuple[Layer, ...] = ()
        self._listening = results.listening  # 1–4 replace it: then the layers go quiet
        self._loading: tuple[Future[LayerMedia], CancelToken] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="isolde-layers")
        self._subscription = Subscription()
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._check_load)
        results.changed.connect(self._results_changed)

    # -- document -------------------------------------------------------------------------
    def set_document(self, project: Project | None, source: AudioSource | None) -> None:
        """Call after the transport has the new source."""
        self._subscription.stop()
        self.project, self.source = project, source
        self.heard = False
        self._cancel_load()
        self._install(None, (), ())
        self._subscription.follow(project, lambda state, _reason: self._sync(state))
        if project is not None:
            self._sync(project.state)
        self.changed.emit()

    @property
    def loading(self) -> bool:
        return self._loading is not None

    @property
    def lane_names(self) -> list[str]:
        return [layer_lane(x.id) for x in self._shown] if self.media else []

    def _sync(self, state: ProjectState) -> None:
        shown = split_leaves(state)
        try:
            keys = tuple((x.id, media_key(state, x)) for x in shown)
        except IsoldeError as exc:
            self.message.emit(f"Cannot play the layers: {exc}")
            keys, shown = (), ()
        if keys != self._keys:
            self._load(state, shown, keys)
        elif shown != self._shown:
            self._shown = shown  # a name, colour or mix changed: same files
            self.timeline.set_layer_lanes(self._specs(state))
            self._apply_mix()
            self.changed.emit()

    # -- loading --------------------------------------------------------------------------
    def _load(self, state: ProjectState, shown: tuple[Layer, ...], keys: tuple) -> None:
        self._cancel_load()
        self._keys = keys
        if not shown or self.source is None or self.project is None:
            self._install(None, (), keys)
            return
        token = CancelToken()
        cache = self.project.takes_dir / CACHE_FOLDER
        rate = self.source.sample_rate
        future = self._executor.submit(open_layer_media, state, shown, cache, rate, token)
        self._loading = (future, token)
        self._pending_shown = shown
        self._poll.start()

    def _cancel_load(self) -> None:
        if self._loading is not None:
            drop_load(*self._loading)
            self._loading = None
        self._poll.stop()

    def _check_load(self) -> None:
        if self._loading is None or not self._loading[0].done():
            return
        future, _ = self._loading
        self._loading = None
        self._poll.stop()
        try:
            media = future.result()
        except Cancelled:
            return
        except (IsoldeError, OSError, ValueError) as exc:
            self.message.emit(f"Cannot play the layers: {exc}")
            self._install(None, (), self._keys)
            return
        self._install(media, self._pending_shown, self._keys)

    def _install(self, media: LayerMedia | None, shown: tuple[Layer, ...], keys: tuple) -> None:
        old, self.media = self.media, media
        self._shown, self._keys = (shown if media else ()), keys
        lanes = {layer_lane(i): s for i, s in media.sources.items()} if media else {}
        self.transport.set_layer_lanes(lanes)
        state = self.project.state if self.project else None
        self.timeline.set_layer_lanes(self._specs(state) if state and media else [])
        self._apply_mix()
        if old is not None:
            old.close()  # after the player and the timeline have let go of it
        self.changed.emit()

    def _specs(self, state: ProjectState) -> list[LaneSpec]:
        media = self.media
        if media is None:
            return []
        return [
            LaneSpec(
                layer_lane(x.id),
                lane_label(x),
                media.pyramids[x.id],
                QColor(layer_colour(state, x)),
            )
            for x in self._shown
            if x.id in media.pyramids
        ]

    # -- listening ------------------------------------------------------------------------
    def set_heard(self, heard: bool) -> None:
        """Hear the layers (at their gains, mutes and solos) or go back to the take lanes."""
        if heard and not self.lane_names:
            self.message.emit("Nothing to hear as layers yet: split the source first")
            heard = False
        self.heard = heard
        self._listening = self.results.listening
        self._apply_mix()
        if heard:
            self.announce()
        else:
            self.results.listen(self.results.listening.mode)  # says what is heard now
        self.changed.emit()

    def announce(self) -> None:
        """Say which layers are heard (after a mute or solo changed it)."""
        names = heard_names(self._shown)
        self.message.emit("Hearing the layers: " + (" + ".join(names) if names else "all muted"))

    def _apply_mix(self) -> None:
        if self.heard and self.media is not None:
            settings = layer_settings(self._shown)
            self.transport.apply_layer_mix(settings)
            soloing = any(x.solo for x in self._shown)
            audible = [x for x in self._shown if not x.mute and (x.solo or not soloing)]
            self.timeline.layer_lanes.set_heard(layer_lane(x.id) for x in audible)
            self.timeline.take_lanes.set_heard(())
        else:
            self.heard = False
            self.transport.apply_layer_mix(None)
            self.timeline.layer_lanes.set_heard(())

    def _results_changed(self) -> None:
        # Keys 1–4 (or B) chose something else to hear: the layers stop being heard.
        if self.heard and self.results.listening is not self._listening:
            self.heard = False
            self._apply_mix()
            self.changed.emit()

    def close(self) -> None:
        self._subscription.stop()
        self._cancel_load()
        media, self.media = self.media, None
        if media is not None:
            media.close()
        self._executor.shutdown(wait=False, cancel_futures=True)
