"""The high-contrast theme's style: Fusion, with white outlines on controls and a thick yellow
rectangle around the one with the keyboard focus.

Fusion draws its borders in a shade of the window colour, which on a black window is black:
buttons, fields, slider handles and scroll bars would vanish. This draws them again on top.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleFactory, QStyleOption, QWidget

PE = QStyle.PrimitiveElement
CC = QStyle.ComplexControl
CE = QStyle.ControlElement
SC = QStyle.SubControl
State = QStyle.StateFlag
FOCUS = QColor(255, 255, 0)
EDGE = QColor(255, 255, 255)
DISABLED_EDGE = QColor(140, 140, 140)
CHECKED_FILL = QColor(60, 60, 60)
OUTLINED = (PE.PE_PanelButtonCommand, PE.PE_FrameLineEdit, PE.PE_IndicatorCheckBox, PE.PE_Frame)


class HighContrastStyle(QProxyStyle):
    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    def drawPrimitive(  # type: ignore[override]
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == PE.PE_FrameFocusRect:
            _outline(painter, option.rect, FOCUS, 2)
            return
        checked_tool = element == PE.PE_PanelButtonTool and bool(option.state & State.State_On)
        if checked_tool:
            painter.fillRect(option.rect, CHECKED_FILL)
        super().drawPrimitive(element, option, painter, widget)
        if element in OUTLINED or checked_tool:
            _state_outline(painter, option.rect, option.state)
        elif element == PE.PE_PanelButtonTool and option.state & State.State_HasFocus:
            _outline(painter, option.rect, FOCUS, 2)

    def drawComplexControl(  # type: ignore[override]
        self,
        control: QStyle.ComplexControl,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawComplexControl(control, option, painter, widget)  # type: ignore[arg-type]
        if control == CC.CC_SpinBox:
            _state_outline(painter, option.rect, option.state)
        elif control == CC.CC_Slider:
            for part in (SC.SC_SliderGroove, SC.SC_SliderHandle):
                rect = self.subControlRect(control, option, part, widget)  # type: ignore[arg-type]
                _state_outline(painter, rect, option.state)
        elif control == CC.CC_ScrollBar:
            part = SC.SC_ScrollBarSlider
            rect = self.subControlRect(control, option, part, widget)  # type: ignore[arg-type]
            enabled = bool(option.state & State.State_Enabled)
            _outline(painter, rect, EDGE if enabled else DISABLED_EDGE, 1)

    def drawControl(  # type: ignore[override]
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawControl(element, option, painter, widget)
        if element == CE.CE_TabBarTabShape:
            selected = bool(option.state & State.State_Selected)
            _outline(painter, option.rect, FOCUS if selected else EDGE, 2 if selected else 1)
        elif element == CE.CE_HeaderSection:
            _outline(painter, option.rect, EDGE, 1)


def _state_outline(painter: QPainter, rect: QRect, state: QStyle.StateFlag) -> None:
    """Yellow and thick with the focus, white when enabled, grey and dashed when disabled."""
    if state & State.State_HasFocus:
        _outline(painter, rect, FOCUS, 2)
    elif state & State.State_Enabled:
        _outline(painter, rect, EDGE, 1)
    else:
        _outline(painter, rect, DISABLED_EDGE, 1, Qt.PenStyle.DashLine)


def _outline(
    painter: QPainter,
    rect: QRect,
    colour: QColor,
    width: int,
    style: Qt.PenStyle = Qt.PenStyle.SolidLine,
) -> None:
    if rect.width() <= 2 * width or rect.height() <= 2 * width:
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    pen = QPen(colour, width, style)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    half = width // 2
    painter.drawRect(rect.adjusted(half, half, -half - (width % 2), -half - (width % 2)))
    painter.restore()
