"""Server-sent events through httpx-sse, as (event, data, id) records.

httpx-sse replaced a hand-written parser (tests/bench/bench_sse.py compares them). Use
response_events() on a streamed response: it splits lines only at CR, LF and CRLF, as the
standard says, where httpx's own iter_lines() also splits at U+2028, form feeds and the like
that JSON may carry unescaped inside a data line. One rule is added on top of the library: an
event with no data is not passed on (the standard dispatches none when no data line came; the
library does, e.g. for a bare `retry:` or `event: ping` keep-alive, and no status is empty).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import httpx
from httpx_sse import EventSource, ServerSentEvent, SSEError

from isolde.providers.errors import ProtocolError


@dataclass(frozen=True)
class ServerEvent:
    event: str  # "message" when the server names none
    data: str
    id: str | None = None  # the last event id seen on the stream, if any


def _ours(events: Iterable[ServerSentEvent]) -> Iterator[ServerEvent]:
    for sse in events:
        if sse.data:
            yield ServerEvent(sse.event, sse.data, sse.id or None)


def parse_events(lines: Iterable[str]) -> Iterator[ServerEvent]:
    """Events from a stream's lines (line endings already removed); comments are skipped.

    An event cut off by the end of the stream (no blank line after it) is dropped, as the
    standard says: its data may be incomplete.
    """
    # The library reads responses only: give it one, streamed lazily from the lines.
    body = (f"{line}\n".encode() for line in lines)
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
    yield from response_events(response)


def response_events(response: httpx.Response) -> Iterator[ServerEvent]:
    """Events from a streamed response; ProtocolError if it is not an event stream."""
    try:
        yield from _ours(EventSource(response).iter_sse())
    except SSEError as exc:
        raise ProtocolError(f"the status stream is not an event stream: {exc}") from None
