"""Play, pause, play a span, loop: the editor's side of the playback engine.

The main lane ("original") plays the recording as edited once edits are applied (`set_program`),
as in an audio editor where the document is what you hear; the take lanes play beside it.

The engine's audio callback never touches Qt; this object polls its position with a timer and
turns it into signals for the playhead and the status bar.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject, QTimer, Signal

from isolde.audio import AudioSource
from isolde.audio.edited_source import EditedSource
from isolde.audio.mixer import LaneSettings
from isolde.audio.playback import Player

POLL_MS = 30


class Transport(QObject):
    position_changed = Signal(float)
    playing_changed = Signal(bool)
    message = Signal(str)

    def __init__(
        self, parent: QObject | None = None, player_factory: Callable[[], Player] = Player
    ) -> None:
        super().__init__(parent)
        self._factory = player_factory
        self._player: Player | None = None
        self._source: AudioSource | None = None
        self._program: EditedSource | None = None  # the recording as edited
        self._lanes: dict[str, AudioSource] = {}  # take lanes beside the original
        # The project's layers (leaves), a second group of lanes: while they are heard, the
        # lanes above are muted, else the layers are (see `apply_layer_mix`).
        self._layer_lanes: dict[str, AudioSource] = {}
        self._mix: dict[str, LaneSettings] = {}  # the take lanes' settings, as last asked
        self._layer_mix: dict[str, LaneSettings] | None = None  # None: layers not heard
        self.device: int | str | None = None  # the chosen output device; None: the default
        self._was_playing = False
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def player(self) -> Player:
        if self._player is None:
            self._player = self._factory()
        return self._player

    def set_source(self, source: AudioSource | None) -> None:
        self.stop()
        self._source = source
        self._program = None
        self._lanes = {}
        self._layer_lanes, self._mix, self._layer_mix = {}, {}, None
        if source is not None:
            self.player.set_sources({"original": source}, source.sample_rate, source.channels)
            self._report_error()

    def set_lanes(self, lanes: Mapping[str, AudioSource]) -> None:
        """Play these lanes (a take's target, residual, ...) beside the original, time-aligned.
        Keeps playing if playing; what is heard is then chosen by `apply_mix`."""
        if self._source is None or dict(lanes) == self._lanes:
            return
        self._lanes = dict(lanes)
        try:
            self.player.set_sources({"original": self._main, **self._lanes, **self._layer_lanes})
        except ValueError as exc:  # a lane at another rate: say so, keep the original playing
            self._lanes = {}
            self.player.set_sources({"original": self._main, **self._layer_lanes})
            self.message.emit(f"Cannot play the take beside the recording: {exc}")
            return
        self._report_error()

    @property
    def _main(self) -> AudioSource | EditedSource | None:
        return self._program if self._program is not None else self._source

    @property
    def edited(self) -> bool:
        """True while the main lane plays the recording with applied edits."""
        return self._program is not None

    def set_program(self, program: EditedSource | None) -> None:
        """What the main lane plays: the recording as edited, or None for
        the recording as it is. Keeps the position, and keeps playing if playing."""
        if self._source is None or program is self._program:
            return
        self._program = program
        self.player.set_sources({"original": self._main, **self._lanes, **self._layer_lanes})
        self._report_error()

    def apply_mix(self, settings: Mapping[str, LaneSettings]) -> None:
        """Gain, mute and solo per lane; only changed lanes are touched. The player ramps each
        change over ~10 ms, so a switch is heard at once and without a click."""
        self._mix.update(settings)
        self._set_mixed()

    def set_layer_lanes(self, lanes: Mapping[str, AudioSource]) -> None:
        """The layers' lanes (names unlike the take lanes'), played beside the rest."""
        if self._source is None or dict(lanes) == self._layer_lanes:
            return
        self._layer_lanes = dict(lanes)
        try:
            self.player.set_sources({"original": self._main, **self._lanes, **self._layer_lanes})
        except ValueError as exc:
            self._layer_lanes = {}
            self.player.set_sources({"original": self._main, **self._lanes})
            self.message.emit(f"Cannot play the layers beside the recording: {exc}")
            return
        self._report_error()
        self._set_mixed()

    def apply_layer_mix(self, settings: Mapping[str, LaneSettings] | None) -> None:
        """Hear the layers at these settings (the other lanes fall silent in the same ramp),
        or, with None, hear what `apply_mix` chose and silence the layers."""
        self._layer_mix = None if settings is None else dict(settings)
        self._set_mixed()

    @property
    def layers_heard(self) -> bool:
        return self._layer_mix is not None

    def _set_mixed(self) -> None:
        # One solo space for all lanes: while layers are heard the others are muted and
        # unsoloed, so a layer's solo means "only this layer".
        heard = self._layer_mix
        if heard is None:
            mixed = {**self._mix, **{n: LaneSettings(mute=True) for n in self._layer_lanes}}
        else:
            silent = {n: LaneSettings(s.gain_db, mute=True) for n, s in self._mix.items()}
            silent.setdefault("original", LaneSettings(mute=True))
            mixed = {**silent, **{n: heard.get(n, LaneSettings()) for n in self._layer_lanes}}
        player = self.player
        current = player.lanes
        changed = {n: s for n, s in mixed.items() if current.get(n) != s}
        if changed:
            player.set_lanes(changed)

    def set_device(self, device: int | str | None) -> None:
        """Switch the output device; a device that will not open is a status message."""
        self.device = device
        was_playing = self.playing
        self.player.set_device(device)
        if not self._report_error() and was_playing:
            self._timer.start()

    @property
    def playing(self) -> bool:
        return self._player is not None and self._player.playing

    @property
    def position(self) -> float:
        return self._player.position if self._player is not None else 0.0

    def toggle(self, from_t: float) -> None:
        """Space: pause when playing, else play from `from_t` to the end."""
        if self.playing:
            self.pause()
        else:
            self.play(from_t)

    def play(self, start: float, stop: float | None = None, *, loop: bool = False) -> None:
        if self._source is None:
            return
        player = self.player
        if loop and stop is not None:
            player.play(start, loop=(start, stop))
        else:
            player.play(start, stop_s=stop)
        if self._report_error():
            return
        self._timer.start()
        self._emit_playing()

    def pause(self) -> None:
        if self._player is not None:
            self._player.pause()
        self._emit_playing()

    def stop(self) -> None:
        if self._player is not None:
            self._player.stop()
        self._timer.stop()
        self._emit_playing()

    def seek(self, t: float) -> None:
        if self._player is not None:
            self._player.seek(t)
        self.position_changed.emit(t)

    def close(self) -> None:
        self._timer.stop()
        if self._player is not None:
            self._player.close()
            self._player = None

    def _report_error(self) -> bool:
        error = self._player.error if self._player is not None else None
        if error:
            self.message.emit(error)
            return True
        return False

    def _poll(self) -> None:
        self.position_changed.emit(self.position)
        self._emit_playing()
        if not self.playing:
            self._timer.stop()
            self._report_error()

    def _emit_playing(self) -> None:
        now = self.playing
        if now != self._was_playing:
            self._was_playing = now
            self.playing_changed.emit(now)
