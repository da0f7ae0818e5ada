"""The editor's three looks (dark, light, high contrast): Fusion with a palette each, the colours
the timeline draws with, and text that follows the theme and the system font size.

`apply_theme(app, name)` is the one switch: at start (`create_app`) and when the settings change.
Widgets never hard-code a text colour or a font size; they take palette roles, `mark_error` /
`mark_note` (a colour that stays legible on the theme's background) and `relative_font` (a size
derived from the application font, kept in step when that font changes).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from isolde.core.settings import THEMES

Role = QPalette.ColorRole
Group = QPalette.ColorGroup
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TimelineColours:
    """What the timeline draws with (pyqtgraph items take QColors, not palette roles)."""

    background: QColor
    waveform: QColor
    playhead: QColor
    axis_text: QColor
    in_out: QColor
    overview_wave: QColor
    overview_window: QColor
    grid_alpha: float


@dataclass(frozen=True)
class Theme:
    name: str
    label: str  # as the settings dialog lists it
    timeline: TimelineColours
    high_contrast: bool = False


# The timeline keeps its dark canvas in the light theme too (as audio editors often do): every
# colour drawn on it (marks, take lanes, labels) was chosen for a dark background.
CANVAS = TimelineColours(
    background=QColor(24, 26, 30),
    waveform=QColor(110, 190, 250),
    playhead=QColor(255, 210, 80),
    axis_text=QColor(170, 174, 180),
    in_out=QColor(200, 200, 200),
    overview_wave=QColor(110, 190, 250, 180),
    overview_window=QColor(255, 255, 255, 40),
    grid_alpha=0.12,
)
STARK = TimelineColours(
    background=QColor(0, 0, 0),
    waveform=QColor(255, 255, 255),
    playhead=QColor(255, 255, 0),
    axis_text=QColor(255, 255, 255),
    in_out=QColor(0, 255, 255),
    overview_wave=QColor(255, 255, 255),
    overview_window=QColor(255, 255, 255, 45),
    grid_alpha=0.22,
)
THEME_BY_NAME = {
    "dark": Theme("dark", "Dark", CANVAS),
    "light": Theme("light", "Light", CANVAS),
    "high-contrast": Theme("high-contrast", "High contrast", STARK, high_contrast=True),
}
assert tuple(THEME_BY_NAME) == THEMES  # the settings file and the looks agree

# Per theme: (role, colour) for every group, then the disabled group's own colours.
_DARK = {
    Role.Window: "#2b2d31", Role.WindowText: "#e6e8eb", Role.Base: "#1e1f22",
    Role.AlternateBase: "#26282c", Role.ToolTipBase: "#1e1f22", Role.ToolTipText: "#e6e8eb",
    Role.PlaceholderText: "#9da3ab", Role.Text: "#e6e8eb", Role.Button: "#35383e",
    Role.ButtonText: "#e6e8eb", Role.BrightText: "#ff8a80", Role.Light: "#55595f",
    Role.Midlight: "#45484e", Role.Mid: "#5c6068", Role.Dark: "#1b1c1f", Role.Shadow: "#000000",
    Role.Highlight: "#2f6fc4", Role.HighlightedText: "#ffffff", Role.Link: "#7ab8ff",
    Role.LinkVisited: "#b48cff", Role.Accent: "#2f6fc4",
}  # fmt: skip
_DARK_DISABLED = {
    Role.WindowText: "#80858d", Role.Text: "#80858d", Role.ButtonText: "#80858d",
    Role.Highlight: "#4a4e55", Role.HighlightedText: "#c0c0c0",
}  # fmt: skip
# Over Fusion's own light palette, whose highlight and placeholder fall short of AA.
_LIGHT = {
    Role.BrightText: "#b3261e", Role.Link: "#0b57d0", Role.Highlight: "#2f6fc4",
    Role.Accent: "#2f6fc4", Role.PlaceholderText: "#6b6b6b",
}  # fmt: skip
_CONTRAST = {
    Role.Window: "#000000", Role.WindowText: "#ffffff", Role.Base: "#000000",
    Role.AlternateBase: "#1a1a1a", Role.ToolTipBase: "#000000", Role.ToolTipText: "#ffffff",
    Role.PlaceholderText: "#c8c8c8", Role.Text: "#ffffff", Role.Button: "#000000",
    Role.ButtonText: "#ffffff", Role.BrightText: "#ff9c9c", Role.Light: "#ffffff",
    Role.Midlight: "#c0c0c0", Role.Mid: "#c0c0c0", Role.Dark: "#808080", Role.Shadow: "#ffffff",
    Role.Highlight: "#ffff00", Role.HighlightedText: "#000000", Role.Link: "#ffff00",
    Role.LinkVisited: "#ffb0ff", Role.Accent: "#ffff00",
}  # fmt: skip
_CONTRAST_DISABLED = {
    Role.WindowText: "#8c8c8c", Role.Text: "#8c8c8c", Role.ButtonText: "#8c8c8c",
    Role.Highlight: "#5a5a00", Role.HighlightedText: "#ffffff",
}  # fmt: skip

_current = THEME_BY_NAME["dark"]


class ThemeSignals(QObject):
    changed = Signal(str)  # the theme's name, after the palette and style are in place


_signals: list[ThemeSignals] = []


def theme_signals() -> ThemeSignals:
    """Where widgets that draw with theme colours of their own (stylesheets, pyqtgraph) hear
    of a new theme: widgets with a stylesheet get no palette change from Qt."""
    app = QApplication.instance()
    if not _signals or _signals[0].parent() is not app:
        _signals[:] = [ThemeSignals(app)]
    return _signals[0]


def current_theme() -> Theme:
    return _current


def timeline_colours() -> TimelineColours:
    return _current.timeline


def theme_palette(name: str) -> QPalette:
    """The palette of theme `name` (unknown names: dark)."""
    fusion = QStyleFactory.create("Fusion")
    palette = QPalette(fusion.standardPalette())
    if name == "light":
        colours, disabled = _LIGHT, {}
    elif name == "high-contrast":
        colours, disabled = _CONTRAST, _CONTRAST_DISABLED
    else:
        colours, disabled = _DARK, _DARK_DISABLED
    for role, hex_ in colours.items():
        palette.setColor(role, QColor(hex_))  # all groups
    for role, hex_ in disabled.items():
        palette.setColor(Group.Disabled, role, QColor(hex_))
    return palette


def apply_theme(app: QApplication, name: str) -> Theme:
    """Switch the whole application to theme `name` (an unknown name gives dark). Widgets
    repaint; the timeline and the marked labels take their colours from the new theme."""
    global _current
    theme = THEME_BY_NAME.get(name)
    if theme is None:
        log.warning("unknown theme %r: using dark", name)
        theme = THEME_BY_NAME["dark"]
    _current = theme  # before the palette: widgets read it when the palette change arrives
    if theme.high_contrast:
        from isolde.ui.common.contrast_style import HighContrastStyle

        app.setStyle(HighContrastStyle())  # the application owns it from here
    else:
        app.setStyle("Fusion")
    app.setPalette(theme_palette(theme.name))
    theme_signals().changed.emit(theme.name)  # marked labels, the timeline, the empty state
    return theme


# -- text that follows the theme and the font --------------------------------------------------
def error_colour(palette: QPalette) -> QColor:
    """Red that reads on this palette's window: the theme's BrightText when it contrasts,
    else a red picked by the background's lightness (Qt's default BrightText is white)."""
    window = palette.color(Role.Window)
    bright = palette.color(Role.BrightText)
    if contrast_ratio(bright, window) >= 4.5 and bright.saturation() > 60:
        return bright
    return QColor("#ff8a80") if window.lightnessF() < 0.5 else QColor("#b3261e")


def mark_error(widget: QWidget) -> None:
    """Show `widget`'s text as an error, in a red legible in every theme."""
    _Follower.of(widget).text_role = "error"
    _colour_text(widget, "error")


def mark_note(widget: QWidget, scale: float = 0.9) -> None:
    """Small, quieter text (notes and sources under a field), relative to the app font."""
    _Follower.of(widget).text_role = "note"
    _colour_text(widget, "note")
    relative_font(widget, scale)


def _colour_text(widget: QWidget, role: str) -> None:
    app_palette = QApplication.palette()
    if role == "error":
        colour = error_colour(app_palette)
    else:
        colour = app_palette.color(Role.PlaceholderText)
    palette = widget.palette()
    for group in (Group.Active, Group.Inactive):
        palette.setColor(group, Role.WindowText, colour)
        palette.setColor(group, Role.Text, colour)
    widget.setPalette(palette)


def relative_font(widget: QWidget, scale: float = 1.0, *, weight: int | None = None) -> None:
    """Give `widget` the application font × `scale` (and `weight`, e.g. QFont.Weight.Bold),
    kept in step when the application font changes (the system font size, a test): Qt passes
    a new application font on only to widgets without a font of their own."""
    follower = _Follower.of(widget)
    follower.scale, follower.weight = float(scale), weight
    follower.rescale()
    app = QApplication.instance()
    if app is not None and not follower.following_font:
        app.fontChanged.connect(follower.rescale)  # type: ignore[attr-defined]
        follower.following_font = True


class _Follower(QObject):
    """A widget's child that keeps its text colour and font in step with the theme and the
    application font (dies with the widget, and its connections with it)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.setObjectName("isolde-text-follower")
        self.widget = widget
        self.text_role = ""
        self.scale = 1.0
        self.weight: int | None = None
        self.following_font = False
        theme_signals().changed.connect(self.recolour)

    @staticmethod
    def of(widget: QWidget) -> _Follower:
        found = widget.findChild(_Follower, "isolde-text-follower")
        return found if isinstance(found, _Follower) else _Follower(widget)

    def recolour(self, _name: str = "") -> None:
        if self.text_role:
            _colour_text(self.widget, self.text_role)

    def rescale(self, _font: QFont | None = None) -> None:
        font = QFont(QApplication.font())
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * self.scale)
        elif font.pixelSize() > 0:
            font.setPixelSize(max(1, round(font.pixelSize() * self.scale)))
        if self.weight is not None:
            font.setWeight(QFont.Weight(int(self.weight)))
        self.widget.setFont(font)


# -- contrast ---------------------------------------------------------------------------------
def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio (1–21); AA asks 4.5 for body text."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def legible(colour: QColor, background: QColor, ratio: float = 4.5) -> QColor:
    """`colour`, lightened on a dark background or darkened on a light one until its text
    reaches `ratio` against `background` (status colours in tables, for every theme)."""
    result = QColor(colour)
    dark = background.lightnessF() < 0.5
    for _ in range(20):
        if contrast_ratio(result, background) >= ratio:
            break
        result = result.lighter(115) if dark else result.darker(115)
    return result
