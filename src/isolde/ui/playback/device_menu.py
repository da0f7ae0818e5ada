"""Play → Output device: the system default and every output PortAudio finds, listed afresh
each time the menu opens (devices come and go). Without PortAudio the list says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from isolde.audio import device as audio_device
from isolde.ui.playback.transport import Transport

NO_DEVICES = "No output device found (PortAudio missing, or no sound card)"


def device_text(info: dict[str, Any]) -> str:
    default = " — system default" if info.get("default") else ""
    return f"{info['name']} ({info['hostapi']}, {info['channels']} ch){default}"


class DeviceMenu(QMenu):
    def __init__(
        self, transport: Transport, status: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__("Output &device", parent)
        self.transport = transport
        self.status = status
        self.setAccessibleName("Output device")
        self.aboutToShow.connect(self.refresh)
        self._group: QActionGroup | None = None

    def refresh(self) -> None:
        self.clear()
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self._add("System default", None)
        devices = audio_device.output_devices()
        if not devices:
            empty = self.addAction(NO_DEVICES)
            empty.setEnabled(False)
        for info in devices:
            self._add(device_text(info), int(info["index"]))

    def _add(self, text: str, device: int | None) -> QAction:
        action = self.addAction(text)
        action.setCheckable(True)
        action.setChecked(self.transport.device == device)
        action.setData(device)
        action.triggered.connect(lambda _c=False, d=device, t=text: self.choose(d, t))
        assert self._group is not None
        self._group.addAction(action)
        return action

    def choose(self, device: int | None, text: str = "") -> None:
        self.transport.set_device(device)
        error = self.transport.player.error
        if error is None:
            self.status(f"Playing through {text or 'the system default'}")
