"""What the mouse does on the timeline, for the shortcut reference (Help → Keyboard shortcuts).

Kept next to the code that handles each gesture (marks_item.py: clicks and drags; viewbox.py:
the wheel; overview.py: the overview strip): change a gesture there, change its line here."""

from __future__ import annotations

# (gesture, what it does), in the order a newcomer meets them.
TIMELINE_GESTURES: tuple[tuple[str, str], ...] = (
    ("Drag on a lane", "Mark a span with the current tool (Include, Exclude or Inpaint)"),
    ("Drag a mark's edge", "Move that edge of the mark"),
    ("Drag inside a mark", "Move the mark"),
    ("Click", "Move the playhead there; selects the mark under the mouse"),
    ("Double-click a mark", "Set its exact times"),
    ("Right-click", "Commands for the mark under the mouse, or the tools and zoom"),
    ("Wheel", "Zoom in or out around the mouse"),
    ("Shift+wheel, sideways swipe", "Scroll the timeline"),
    ("Click the overview strip", "Centre the view there"),
    ("Drag the overview's window", "Scroll; drag its edges to zoom"),
)
