"""AudioLasso: SAM Audio separation by prompt with span hints, on a job queue."""

from isolde.providers.audiolasso.provider import AudioLassoProvider

__all__ = ["AudioLassoProvider"]
