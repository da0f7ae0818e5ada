"""Themes: each palette's text contrast, the timeline following the theme, error text legible in
every theme, text following the application font, and the high-contrast window screenshot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QFontInfo, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProxyStyle,
    QPushButton,
    QScrollArea,
    QWidget,
)
from window_helpers import open_in_window, save_screenshot, shown_window

from isolde.core.settings import THEMES
from isolde.resources import sample_path
from isolde.ui.common import theme
from isolde.ui.common.problem_slots import note_label
from isolde.ui.common.theme import (
    apply_theme,
    contrast_ratio,
    current_theme,
    error_colour,
    legible,
    mark_error,
    theme_palette,
)
from isolde.ui.jobs.jobs_table import STATUS_COLOURS
from isolde.ui.shell.main_window import MainWindow

Role, Group = QPalette.ColorRole, QPalette.ColorGroup
TEXT_ON = (
    (Role.WindowText, Role.Window),
    (Role.Text, Role.Base),
    (Role.Text, Role.AlternateBase),
    (Role.ButtonText, Role.Button),
    (Role.HighlightedText, Role.Highlight),
    (Role.ToolTipText, Role.ToolTipBase),
    (Role.PlaceholderText, Role.Base),
)


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The application, given back with the style, palette, font and theme it had."""
    style, palette, font = qapp.style().name(), QPalette(qapp.palette()), QFont(qapp.font())
    before = current_theme()
    yield qapp
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setFont(font)
    theme._current = before


@pytest.mark.parametrize("name", THEMES)
def test_every_theme_reads_at_wcag_aa_or_better(name: str) -> None:
    palette = theme_palette(name)
    need = 7.0 if name == "high-contrast" else 4.5  # high contrast: AAA
    for group in (Group.Active, Group.Inactive):
        for text, background in TEXT_ON:
            ratio = contrast_ratio(palette.color(group, text), palette.color(group, background))
            assert ratio >= need, (name, group, text, background, round(ratio, 2))


def test_high_contrast_shows_disabled_text_dimmer_but_readable() -> None:
    palette = theme_palette("high-contrast")
    window = palette.color(Role.Window)
    enabled = palette.color(Group.Active, Role.ButtonText)
    disabled = palette.color(Group.Disabled, Role.ButtonText)
    assert disabled != enabled
    assert contrast_ratio(disabled, window) >= 4.5  # still legible
    assert contrast_ratio(enabled, window) >= 2 * contrast_ratio(disabled, window)  # dimmer


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio(QColor("#000"), QColor("#fff")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#777"), QColor("#fff")) == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("name", THEMES)
def test_error_text_and_job_states_are_legible_in_every_theme(app, qtbot, name: str) -> None:  # type: ignore[no-untyped-def]
    label = QLabel("Could not reach fal.ai")
    qtbot.addWidget(label)
    mark_error(label)
    apply_theme(app, name)  # after the label exists: it is recoloured
    window = app.palette().color(Role.Window)
    shown = label.palette().color(Role.WindowText)
    assert contrast_ratio(shown, window) >= 4.5, (name, shown.name())
    assert shown.red() > shown.green() and shown.red() > shown.blue()  # still reads as red
    base = app.palette().color(Role.Base)
    for state, colour in STATUS_COLOURS.items():
        assert contrast_ratio(legible(QColor(colour), base), base) >= 4.5, (name, state)


def test_error_red_is_legible_before_any_theme_too(qapp: QApplication) -> None:
    # Qt's default BrightText is white: the error colour must not take it.
    for window in ("#efefef", "#2b2d31"):
        palette = QPalette(QColor(window))
        palette.setColor(Role.BrightText, QColor("white"))
        colour = error_colour(palette)
        assert contrast_ratio(colour, QColor(window)) >= 4.5, (window, colour.name())


def test_an_unknown_theme_name_gives_dark(app) -> None:  # type: ignore[no-untyped-def]
    assert apply_theme(app, "sepia").name == "dark"
    assert app.palette().color(Role.Window) == QColor("#2b2d31")


def _pixels(label: QLabel) -> float:
    """A label's rendered font size in pixels (what the user sees, whatever unit was set)."""
    return float(QFontInfo(label.font()).pixelSize())


def _pixel(widget: QWidget, x: int, y: int) -> QColor:
    return widget.grab().toImage().pixelColor(x, y)


def test_the_timeline_follows_the_theme_while_shown(app, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = open_in_window(qtbot, sample_path(), (1280, 800))
    plot = window.timeline.plot_widget
    corner = (plot.width() - 3, 3)  # background, above the top lane
    apply_theme(app, "dark")
    assert _pixel(plot, *corner) == QColor(24, 26, 30)  # today's dark canvas
    apply_theme(app, "high-contrast")
    qtbot.waitUntil(lambda: _pixel(plot, *corner) == QColor(0, 0, 0), timeout=5000)
    assert window.timeline.playhead_line.pen.color() == QColor(255, 255, 0)
    assert window.timeline.waveform.colour == QColor(255, 255, 255)
    assert window.timeline.level_axis.textPen().color() == QColor(255, 255, 255)
    style = app.style()
    assert isinstance(style, QProxyStyle) and style.baseStyle().name().lower() == "fusion"
    apply_theme(app, "light")
    qtbot.waitUntil(lambda: _pixel(plot, *corner) == QColor(24, 26, 30), timeout=5000)
    assert app.palette().color(Role.Window).lightness() > 200  # the widgets around it are light


def test_switching_theme_while_open_does_not_make_the_prompt_panel_scroll(app, qtbot) -> None:  # type: ignore[no-untyped-def]
    # A style change drops the combo boxes' cached size hints; the engine list's long entries
    # then asked for more than the dock's width and the options scrolled sideways.
    window = open_in_window(qtbot, sample_path(), (1280, 800))
    scroll = window.jobs.prompt_panel.findChild(QScrollArea)
    assert scroll is not None
    for name in ("high-contrast", "light", "dark"):
        apply_theme(app, name)
        qtbot.wait(50)
        need = scroll.widget().minimumSizeHint().width()
        assert need <= scroll.viewport().width(), f"{name}: {need} > {scroll.viewport().width()}"


def test_text_follows_the_application_font_size(app, qtbot) -> None:  # type: ignore[no-untyped-def]
    window: MainWindow = open_in_window(qtbot, sample_path(), (1280, 800))
    title = window.empty_state.widget.findChildren(QLabel)[0]
    options = window.jobs.prompt_panel.options.findChildren(QLabel)
    note = note_label()
    qtbot.addWidget(note)
    panel = window.jobs.prompt_panel
    labels = {
        "empty-state title": title,
        "note": note,
        "engine note": panel.engine_note,
        "marks summary": panel.marks_summary,
        "problem": panel.problems.labels["prompt"],
        "options header": next(label for label in options if label.font().bold()),
    }
    before = {name: _pixels(label) for name, label in labels.items()}
    assert before["empty-state title"] > before["marks summary"] > before["note"]
    bigger = QFont(app.font())
    bigger.setPointSizeF(app.font().pointSizeF() * 1.5)
    app.setFont(bigger)

    def grown() -> list[str]:
        return [n for n, label in labels.items() if _pixels(label) < before[n] * 1.3]

    qtbot.waitUntil(lambda: not grown(), timeout=5000)  # Qt passes the font on in events


def test_no_stylesheet_in_the_window_fixes_a_font_size(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = open_in_window(qtbot, sample_path(), (1280, 800))
    fixed = [
        (type(w).__name__, w.objectName(), w.styleSheet())
        for w in [window, *window.findChildren(QWidget)]
        if "font-size" in w.styleSheet() or "font:" in w.styleSheet()
    ]
    assert fixed == []


def test_high_contrast_window_screenshot(app, qtbot) -> None:  # type: ignore[no-untyped-def]
    apply_theme(app, "high-contrast")
    window = open_in_window(qtbot, sample_path(), (1280, 800))
    window.commands.playhead_to(6.0)
    window.project.add_span(2.0, 3.5, include=False)
    window.project.add_span(8.0, 11.0, include=True)
    options = window.jobs.prompt_panel.options  # rebuilt for spans: wait for its new fields
    qtbot.waitUntil(lambda: any(e.widget.isVisible() for e in options.editors.values()))
    path = save_screenshot(window, "theme-high-contrast.png")
    assert path.stat().st_size > 10_000
    image = window.grab().toImage()
    plot = window.timeline.plot_widget
    corner = plot.mapTo(window, plot.rect().topRight() + QPoint(-3, 3))
    assert image.pixelColor(corner) == QColor(0, 0, 0)
    status = window.statusBar()
    assert status.palette().color(Role.WindowText) == QColor(255, 255, 255)


def test_the_empty_state_follows_the_theme(app, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot)
    empty = window.empty_state.widget
    apply_theme(app, "high-contrast")
    qtbot.waitUntil(lambda: "background: #000000" in empty.styleSheet())
    assert "QLabel { color: #ffffff; }" in empty.styleSheet()
    apply_theme(app, "light")
    qtbot.waitUntil(lambda: "background: #000000" not in empty.styleSheet())
    base = app.palette().color(Role.Base).name()
    assert f"background: {base}" in empty.styleSheet()


def _colours(widget: QWidget) -> set[tuple[int, int, int]]:
    image = widget.grab().toImage()
    return {
        image.pixelColor(x, y).getRgb()[:3]
        for x in range(image.width())
        for y in range(image.height())
    }


def test_high_contrast_outlines_controls_and_marks_the_focus_in_yellow(app, qtbot) -> None:  # type: ignore[no-untyped-def]
    apply_theme(app, "high-contrast")
    box = QWidget()
    qtbot.addWidget(box)
    layout = QHBoxLayout(box)
    first, second, field = QPushButton("Separate"), QPushButton("Inpaint"), QLineEdit("hum")
    for widget in (first, second, field):
        layout.addWidget(widget)
    box.show()
    qtbot.waitExposed(box)
    box.activateWindow()
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(first.hasFocus)
    yellow, white = (255, 255, 0), (255, 255, 255)
    assert yellow in _colours(first)  # the focus rectangle
    assert yellow not in _colours(second) and white in _colours(second)  # a plain outline
    assert white in _colours(field)
    second.setEnabled(False)
    assert white not in _colours(second)  # disabled: grey outline and text
