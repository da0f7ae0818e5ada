"""Segmind: SAM Audio Large in one synchronous call; the residual is computed here."""

from isolde.providers.segmind.provider import SegmindProvider

__all__ = ["SegmindProvider"]
