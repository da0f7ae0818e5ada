"""fal.ai: SAM Audio (text, span and visual separation) and Stable Audio 3 inpainting."""

from isolde.providers.fal.provider import FalProvider

__all__ = ["FalProvider"]
