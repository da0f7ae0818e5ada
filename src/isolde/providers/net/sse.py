"""Server-sent events: `event:`/`data:` lines to (event, data) pairs, per the HTML standard."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerEvent:
    event: str  # "message" when the server names none
    data: str
    id: str | None = None


def parse_events(lines: Iterable[str]) -> Iterator[ServerEvent]:
    """Events from a stream's lines (line endings already removed); comments are skipped."""
    event, data, last_id = "", [], None
    for line in lines:
        if not line:
            if data:
                yield ServerEvent(event or "message", "\n".join(data), last_id)
            event, data = "", []
            continue
        if line.startswith(":"):
            continue  # a comment: servers send these as keep-alives
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            last_id = value
    # An event cut off by the end of the stream (no blank line after it) is dropped, as the
    # standard says: its data may be incomplete.
