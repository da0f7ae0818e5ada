"""How the engine list describes each provider: its title, the kinds of request it serves and
whether its API key is configured — and which options to show for the request at hand."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from isolde.core.state import ProjectState
from isolde.providers.base import Provider, RequestKind
from isolde.providers.options import OptionSpec
from isolde.ui.jobs.request_plan import separate_kind

KIND_ORDER = (RequestKind.TEXT, RequestKind.SPANS, RequestKind.VISUAL, RequestKind.INPAINT)
MONO_NOTE = "SAM Audio separation returns mono target and residual at 48 kHz."


def kinds_text(provider: Provider) -> str:
    return ", ".join(k.value for k in KIND_ORDER if k in provider.capabilities.kinds)


def key_text(provider: Provider) -> str:
    env = provider.capabilities.key_env
    if env is None:
        return "no key needed"
    return "key set" if provider.key_configured() else f"no key ({env})"


def engine_label(provider: Provider) -> str:
    return f"{provider.title} — {kinds_text(provider)} — {key_text(provider)}"


def engine_notes(provider: Provider) -> str:
    """The line under the engine choice: the mono note for SAM Audio engines."""
    return MONO_NOTE if "SAM Audio" in provider.capabilities.notes else ""


def option_sections(provider: Provider, state: ProjectState) -> list[tuple[str, list[OptionSpec]]]:
    """Options grouped by the requests at hand: every request, this Separate, Inpaint (when
    the project has regions and the engine inpaints). Options for other kinds are left out."""
    options = provider.capabilities.options
    kind = separate_kind(state, provider)
    sections = [
        ("All requests", [o for o in options if not o.kinds]),
        (f"Separate ({kind.value})", [o for o in options if o.kinds and kind in o.kinds]),
    ]
    if state.regions and RequestKind.INPAINT in provider.capabilities.kinds:
        inpaint = [o for o in options if o.kinds and RequestKind.INPAINT in o.kinds]
        sections.append(("Inpaint", [o for o in inpaint if kind not in o.kinds]))
    return [(title, specs) for title, specs in sections if specs]


class EngineCombo(QComboBox):
    """Rewrites its labels as it opens: a key may have been set since they were made."""

    opening = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Never as wide as its longest entry (the popup shows it whole): a fixed demand, so a
        # style change at run time (Settings → Theme) cannot push its panel into scrolling.
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(18)

    def showPopup(self) -> None:
        self.opening.emit()
        super().showPopup()
