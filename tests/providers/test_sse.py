"""Server-sent events over real HTTP: line endings, chunk splits, keep-alives, wrong streams."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest

from isolde.providers.errors import ProtocolError
from isolde.providers.net.sse import ServerEvent, parse_events, response_events


class _Raw(BaseHTTPRequestHandler):
    """Answers with the bytes the test queued, written and flushed piece by piece."""

    pieces: ClassVar[list[bytes]] = []
    content_type: ClassVar[str] = "text/event-stream"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Connection", "close")
        self.end_headers()
        for piece in self.pieces:
            self.wfile.write(piece)
            self.wfile.flush()
        self.close_connection = True

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Raw)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _events(httpd: ThreadingHTTPServer, pieces: list[bytes], ctype: str = "text/event-stream"):
    _Raw.pieces, _Raw.content_type = pieces, ctype
    url = f"http://127.0.0.1:{httpd.server_address[1]}/stream"
    with httpx.Client() as client, client.stream("GET", url) as response:
        return [(e.event, e.data, e.id) for e in response_events(response)]


def test_json_with_raw_line_separators_stays_one_event(server: ThreadingHTTPServer) -> None:
    # json.dumps(ensure_ascii=False) leaves U+2028, U+0085 and form feeds unescaped; only CR
    # and LF end an SSE line (httpx's iter_lines() would cut this event into pieces).
    status = {"status": "IN_PROGRESS", "logs": [{"message": "a\u2028b\x85c\x0cd"}]}
    body = f"event: status\ndata: {json.dumps(status, ensure_ascii=False)}\n\n".encode()
    events = _events(server, [body])
    assert len(events) == 1 and events[0][0] == "status"
    assert json.loads(events[0][1]) == status


def test_any_line_ending_and_any_chunk_split(server: ThreadingHTTPServer) -> None:
    text = 'id: 1\r\ndata: {"a":\r\ndata: 1}\r\n\r\n: keep-alive\rdata: x\r\rdata: y\n\n'
    raw = text.encode()
    expected = [("message", '{"a":\n1}', "1"), ("message", "x", "1"), ("message", "y", "1")]
    assert _events(server, [raw]) == expected
    # One byte at a time: a CRLF split between two reads is still one line ending.
    assert _events(server, [raw[i : i + 1] for i in range(len(raw))]) == expected


def test_events_without_data_and_a_cut_off_tail_are_not_passed_on(
    server: ThreadingHTTPServer,
) -> None:
    body = b"retry: 3000\n\nevent: ping\n\nid: 9\n\ndata: done\n\ndata: cut"
    assert _events(server, [body]) == [("message", "done", "9")]


def test_a_page_that_is_not_an_event_stream_is_refused(server: ThreadingHTTPServer) -> None:
    with pytest.raises(ProtocolError, match="not an event stream"):
        _events(server, [b"<html>proxy login</html>"], ctype="text/html")


def test_lines_parse_as_the_standard_says() -> None:
    lines = ["data:no space", "data:  two spaces", "data", "", "id: a\0b", "data: z", ""]
    assert list(parse_events(lines)) == [
        ServerEvent("message", "no space\n two spaces\n", None),
        ServerEvent("message", "z", None),  # an id holding NUL is ignored
    ]
