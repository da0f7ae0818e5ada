"""Isolde: isolate and repair sounds."""

__version__ = "0.1.0"
