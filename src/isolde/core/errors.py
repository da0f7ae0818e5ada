"""The error types every layer raises; each carries the CLI exit code it maps to."""

from __future__ import annotations

from pathlib import Path


class IsoldeError(Exception):
    """Base of every error a user can act on. The message says what and what to do."""

    exit_code = 1


class InputError(IsoldeError):
    """Bad input: a file, a span, an option or a value the user gave."""

    exit_code = 3


class AudioFileError(InputError):
    """A media file that cannot be read or written; names the file and the reason."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ProjectFileError(InputError):
    """A project file that cannot be loaded or saved; it is left untouched on disk."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class SpanError(InputError):
    """A span or inpaint region that breaks the rules (inverted, not finite, outside the media)."""


class ValidationError(InputError):
    """A request rejected before anything is sent; `problems` maps field names to messages."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        lines = "; ".join(f"{field}: {msg}" for field, msg in self.problems.items())
        super().__init__(f"invalid request — {lines}")


class ProviderError(IsoldeError):
    """The engine, the network or a key failed."""

    exit_code = 4


class MissingKeyError(ProviderError):
    """No API key configured for a provider. Never includes any key material."""


class Cancelled(IsoldeError):
    """The user cancelled a long operation; nothing partial was kept."""

    exit_code = 5

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)
