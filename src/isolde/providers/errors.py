"""What can go wrong with a cloud engine, each kind with its own type so the UI can react.

All are ProviderError (CLI exit 4). Messages say what happened and what to do; server text in
them has been scrubbed of keys.
"""

from __future__ import annotations

from isolde.core.errors import ProviderError


class AuthError(ProviderError):
    """The engine rejected the key (401/403)."""


class NoCreditsError(ProviderError):
    """The account has no credits or balance left (402, Segmind's 406)."""


class RateLimitedError(ProviderError):
    """Still rate limited after the retries (429)."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ServerUnavailableError(ProviderError):
    """The engine or the network stayed down through the retries (5xx, connection errors)."""


class RemoteValidationError(ProviderError):
    """The engine refused the input (422/400); `problems` maps field names to its messages."""

    def __init__(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = dict(problems or {})


class ResultExpiredError(ProviderError):
    """The job finished but its result is gone (deleted after the engine's retention time)."""


class JobFailedError(ProviderError):
    """The engine ran the job and it failed; `reason` is the engine's own explanation."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class SubmissionUnknownError(ProviderError):
    """A submit may have reached the engine, but no answer came back.

    It was deliberately not re-sent: a second submit could start (and bill) a second job.
    """


class ProtocolError(ProviderError):
    """The engine answered something we cannot read (malformed JSON, missing fields)."""
