"""What the mouse does in the video viewer, for the shortcut reference (Help → Keyboard
shortcuts). Kept next to the code that handles it (frame_view.py: wheel and panning; paint.py:
the mask tools; mask_objects.py: the objects list): change a gesture there, change it here."""

from __future__ import annotations

# (gesture, what it does)
VIDEO_GESTURES: tuple[tuple[str, str], ...] = (
    ("Wheel over the picture", "Zoom the picture"),
    ("Drag the picture", "Pan (with no mask tool chosen)"),
    ("Middle-drag the picture", "Pan, whatever the tool"),
    ("Drag with Rectangle or Ellipse", "Draw that shape into the mask"),
    ("Drag with Brush or Eraser", "Paint into or erase from the mask"),
    ("Click with Polygon", "Add a corner; double-click or Enter closes it, Esc drops it"),
    ("Double-click a mask object", "Rename it"),
)
