"""Keeping keys out of text: a Secret that never prints itself, and a scrubber for server text.

Every key handed out is remembered here (in memory only), so that any text that might echo it —
an error body, a URL, a header dump — can be scrubbed before it reaches a message or a log.
"""

from __future__ import annotations

import threading

REDACTED = "[redacted]"
_known: set[str] = set()
_lock = threading.Lock()


def remember(value: str) -> None:
    if len(value) >= 4:  # shorter strings would scrub ordinary words
        with _lock:
            _known.add(value)


def scrub(text: str) -> str:
    """`text` with every known key replaced by [redacted]."""
    with _lock:
        secrets = sorted(_known, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class Secret:
    """An API key. repr/str show nothing; `reveal()` is the only way to the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        remember(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({REDACTED})"

    __str__ = __repr__

    def __reduce__(self) -> None:  # type: ignore[override]
        raise TypeError("a Secret cannot be pickled or copied into a file")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
