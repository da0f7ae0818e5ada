"""Every editor command as a QAction with a shortcut and an accessible name, so each one is
reachable from the keyboard, the menus and the toolbar alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QWidget

from isolde.ui.common.edit_state import Tool

Slot = Callable[..., None]  # checkable commands get the new checked state


@dataclass(frozen=True)
class Command:
    key: str
    text: str
    shortcuts: tuple[str, ...]
    tip: str
    checkable: bool = False


COMMANDS: tuple[Command, ...] = (
    Command(
        "tool_include", "&Include tool", ("I",), "Drag to mark where the wanted sound is", True
    ),
    Command("tool_exclude", "&Exclude tool", ("E",), "Drag to mark where it is not", True),
    Command("tool_inpaint", "In&paint tool", ("R",), "Drag to mark a stretch to regenerate", True),
    Command("snap", "S&nap to 40 ms grid", ("G",), "SAM Audio's span grid", True),
    Command("combined", "&Combined channels", ("C",), "One lane for all channels", True),
    Command(
        "spectrogram", "Spectro&gram", ("S",), "Show a spectrogram instead of the waveform", True
    ),
    Command("log_frequency", "&Log frequency", ("Shift+S",), "Spectrogram frequency axis", True),
    Command("zoom_in", "Zoom &in", ("+", "=", "Ctrl+1"), "Zoom in around the playhead"),
    Command("zoom_out", "Zoom &out", ("-", "Ctrl+3"), "Zoom out"),
    Command("zoom_fit", "Zoom to &fit", ("Ctrl+F", "F"), "Show the whole file"),
    Command("zoom_selection", "Zoom to &selection", ("Ctrl+E", "Z"), "Show the selected mark"),
    Command("pan_left", "Scroll left", ("Left",), "Scroll the view left"),
    Command("pan_right", "Scroll right", ("Right",), "Scroll the view right"),
    Command("playhead_back", "Playhead back 1 s", ("Ctrl+Left",), "Move the playhead"),
    Command("playhead_forward", "Playhead forward 1 s", ("Ctrl+Right",), "Move the playhead"),
    Command("playhead_start", "Playhead to start", ("Home",), "Go to the start"),
    Command("playhead_end", "Playhead to end", ("End",), "Go to the end"),
    Command(
        "frame_back", "Previous video frame", ("Alt+Left",), "Step the playhead back one frame"
    ),
    Command("frame_forward", "Next video frame", ("Alt+Right",), "Step the playhead on one frame"),
    Command("play_pause", "&Play / pause", ("Space",), "Play from the playhead"),
    Command("play_mark", "Play &mark", ("Shift+Space",), "Play the selected mark"),
    Command("loop_mark", "&Loop mark", ("L",), "Loop the selected mark"),
    Command("stop", "S&top", ("Escape",), "Stop playback"),
    Command("set_in", "Set &in at playhead", ("[",), "Start of a keyboard-made mark"),
    Command("set_out", "Set &out at playhead", ("]",), "End of a keyboard-made mark"),
    Command(
        "add_mark",
        "&Add mark from in/out",
        ("M",),
        "Mark in→out with the current tool",
    ),
    Command("next_mark", "Select &next mark", (".",), "Select the next mark in time"),
    Command("previous_mark", "Select pre&vious mark", (",",), "Select the previous mark"),
    Command("flip_mark", "&Flip include/exclude", ("X",), "Flip the selected span"),
    Command("edit_mark", "Set exact &times…", ("Ctrl+T",), "Type the selected mark's times"),
    Command("delete_mark", "&Delete mark", ("Delete", "Backspace"), "Delete the selected mark"),
    Command(
        "separate",
        "&Separate",
        ("Ctrl+Return", "Ctrl+Enter"),
        "Send the marks and prompt to the chosen engine",
    ),
    Command(
        "inpaint",
        "&Inpaint",
        ("Ctrl+Shift+Return", "Ctrl+Shift+Enter"),
        "Regenerate the selected inpaint region (or every region, one job each)",
    ),
    Command("listen_original", "Hear the &original", ("1",), "Switch playback to the original"),
    Command("listen_target", "Hear the &target", ("2",), "Switch playback to the take's target"),
    Command(
        "listen_residual", "Hear the &residual", ("3",), "Switch playback to the take's residual"
    ),
    Command("listen_remix", "Hear the re&mix", ("4",), "Target and residual at the remix gains"),
    Command(
        "toggle_ab", "A/&B switch", ("B",), "Take A ↔ take B when comparing, else original ↔ take"
    ),
    Command(
        "apply_remix",
        "&Apply to selection",
        ("A",),
        "Write the remix (or repair) into the project over the selected mark or in/out range",
    ),
    Command(
        "apply_whole", "Apply to &whole file", ("Shift+A",), "Write the remix over the whole file"
    ),
    Command("export", "&Export…", ("Ctrl+Shift+E",), "Export the edited file, a remix or a take"),
    Command(
        "export_video",
        "Export &video…",
        ("Ctrl+Alt+E",),
        "Put the edited sound, a take's target or the remix back into the video",
    ),
)


def build_actions(parent: QWidget, slots: dict[str, Slot]) -> dict[str, QAction]:
    actions: dict[str, QAction] = {}
    for command in COMMANDS:
        action = QAction(command.text, parent)
        action.setShortcuts([QKeySequence(s) for s in command.shortcuts])
        shortcut_text = ", ".join(command.shortcuts)
        action.setToolTip(f"{command.tip} ({shortcut_text})")
        action.setStatusTip(command.tip)
        action.setCheckable(command.checkable)
        action.setChecked(command.key == "tool_include")  # before connecting: no slot runs
        action.setObjectName(command.key)
        slot = slots.get(command.key)
        if slot is not None:
            if command.checkable:
                action.toggled.connect(lambda on, s=slot: s(on))
            else:
                action.triggered.connect(lambda _c=False, s=slot: s())
        parent.addAction(action)  # shortcuts work wherever the focus is in the window
        actions[command.key] = action
    tools = QActionGroup(parent)
    tools.setExclusive(True)
    for key in ("tool_include", "tool_exclude", "tool_inpaint"):
        tools.addAction(actions[key])
    return actions


TOOL_ACTIONS = {
    Tool.INCLUDE: "tool_include",
    Tool.EXCLUDE: "tool_exclude",
    Tool.INPAINT: "tool_inpaint",
}


def shortcuts_table() -> list[tuple[str, str]]:
    """(keys, what) rows for the Help dialog, in menu order."""
    return [(", ".join(c.shortcuts), c.text.replace("&", "")) for c in COMMANDS]
