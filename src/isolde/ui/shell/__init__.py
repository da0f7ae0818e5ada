"""The frame: application, main window wiring every area, menus, actions, open/save/recover."""
