"""Every editor command as a QAction with a shortcut and an accessible name, so each one is
reachable from the keyboard, the menus and the toolbar alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QWidget

from isolde.ui.common.edit_state import Tool

Slot = Callable[..., None]  # checkable commands get the new checked state
Std = QKeySequence.StandardKey
Keys = str | QKeySequence.StandardKey  # a portable "Ctrl+T" or the platform's own binding


@dataclass(frozen=True)
class Command:
    key: str
    text: str
    shortcuts: tuple[Keys, ...]
    tip: str
    checkable: bool = False


COMMANDS: tuple[Command, ...] = (
    Command("open", "&Open…", (Std.Open,), "Open a recording, a video or an .isolde project"),
    Command(
        "open_sample",
        "Open &sample",
        ("Ctrl+Shift+O",),
        "Open the sample recording that comes with Isolde",
    ),
    Command("save", "&Save project", (Std.Save,), "Save the marks, takes and edits as .isolde"),
    # Some platforms bind no Save as / Quit key: the explicit fallback keeps one everywhere.
    Command(
        "save_as",
        "Save project &as…",
        (Std.SaveAs, "Ctrl+Shift+S"),
        "Save the project under another name",
    ),
    Command("quit", "&Quit", (Std.Quit, "Ctrl+Q"), "Close Isolde (asks about unsaved changes)"),
    Command("undo", "&Undo", (Std.Undo,), "Undo the last change to the project"),
    Command("redo", "&Redo", (Std.Redo,), "Redo the change just undone"),
    Command(
        "settings",
        "Se&ttings…",
        (Std.Preferences, "Ctrl+,"),
        "Keys, default engine, output folder, device, theme and confirmations",
    ),
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
        "suggest_speech",
        "S&uggest speech spans…",
        ("Ctrl+Shift+M",),
        "Listen for speech (offline) and propose include/exclude spans to accept or reject",
    ),
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
        "compare",
        "&Compare engines…",
        ("Ctrl+Alt+Return", "Ctrl+Alt+Enter"),
        "Send the marks and prompt to several engines or option sets at once, priced first",
    ),
    *(
        Command(f"hear_try_{n}", f"Hear try {n}", (f"Alt+{n}",), f"Hear the comparison's try {n}")
        for n in range(1, 5)
    ),
    Command("keep_try", "&Keep try", ("K",), "Make the try you hear the active take"),
    Command(
        "keep_try_layers",
        "Keep try as &layers",
        ("Shift+K",),
        "Split the source into the heard try's target and residual layers",
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
    Command(
        "shortcuts",
        "&Keyboard shortcuts",
        ("F1",),
        "Every command with its keys, and what the mouse does, searchable",
    ),
    Command("show_guide", "Show the &guide", (), "The three first steps, above the timeline"),
    Command(
        "reset_layout",
        "&Reset layout",
        (),
        "Put the panels back where they were on the first start (the window's size stays)",
    ),
)


def build_actions(parent: QWidget, slots: dict[str, Slot]) -> dict[str, QAction]:
    actions: dict[str, QAction] = {}
    for command in COMMANDS:
        action = QAction(command.text, parent)
        sequences = key_sequences(command.shortcuts)
        action.setShortcuts(sequences)
        shown = keys_text(sequences)
        action.setToolTip(f"{command.tip} ({shown})" if shown else command.tip)
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


COMMANDS_BY_KEY = {c.key: c for c in COMMANDS}


def key_sequences(shortcuts: tuple[Keys, ...]) -> list[QKeySequence]:
    """The sequences an action answers to: standard keys expanded to this platform's bindings,
    duplicates dropped (a fallback the platform already binds) and so are the dedicated
    "Open"/"Save"/"Undo" keys of media keyboards, which would only clutter the reference."""
    sequences: list[QKeySequence] = []
    for keys in shortcuts:
        found = QKeySequence.keyBindings(keys) if isinstance(keys, Std) else [QKeySequence(keys)]
        for s in found:
            if not s.isEmpty() and s not in sequences and not _media_key(s):
                sequences.append(s)
    return sequences


def _media_key(sequence: QKeySequence) -> bool:
    # Qt numbers the browser, media and launch keys from Key_Back up.
    back = Qt.Key.Key_Back.value
    return any(
        back <= sequence[i].key().value < Qt.Key.Key_unknown.value for i in range(sequence.count())
    )


def native_text(sequence: QKeySequence) -> str:
    """How this platform writes the keys (e.g. "Ctrl+Z", "⌘Z" on macOS)."""
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def keys_text(sequences: list[QKeySequence]) -> str:
    """Joined with "or" (Ctrl+Z or Alt+Backspace), since "," is a key of its own."""
    return " or ".join(native_text(s) for s in sequences)


def command_text(text: str) -> str:
    """Menu text as a reference reads it: no mnemonic ampersand ("&&" is a literal one)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def shortcuts_table() -> list[tuple[str, str]]:
    """(keys, what) for every command, in table order: the Help dialog reads the live actions
    instead; this is for code without a window."""
    return [(keys_text(key_sequences(c.shortcuts)), command_text(c.text)) for c in COMMANDS]
