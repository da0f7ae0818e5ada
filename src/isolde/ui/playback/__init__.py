"""Playback from the editor: play, pause, loop and the output device."""
