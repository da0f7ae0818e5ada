"""Small helpers over BaseHTTPRequestHandler: read a body strictly, answer JSON, bytes or SSE."""

from __future__ import annotations

import contextlib
import json
import socket
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit


class Answered(Exception):
    """Raised after a reply has been sent, to unwind a route handler."""


class Exchange:
    """One request as a route handler sees it."""

    def __init__(self, handler: BaseHTTPRequestHandler) -> None:
        self.handler = handler
        self.method = handler.command
        parts = urlsplit(handler.path)
        self.path = parts.path
        self.query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.headers = {k.lower(): v for k, v in handler.headers.items()}
        self._body: bytes | None = None

    # -- reading ---------------------------------------------------------------------------
    def body(self, *, require_length: bool = False) -> bytes:
        if self._body is not None:
            return self._body
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            if require_length:
                self.json(411, {"detail": "Content-Length required (chunked uploads refused)"})
            self._body = self._read_chunked()
        else:
            length = self.headers.get("content-length")
            if length is None and require_length:
                self.json(411, {"detail": "Content-Length required"})
            self._body = self.handler.rfile.read(int(length or 0))
        return self._body

    def _read_chunked(self) -> bytes:
        out = bytearray()
        rfile = self.handler.rfile
        while True:
            size = int(rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                rfile.readline()
                return bytes(out)
            out += rfile.read(size)
            rfile.readline()

    def json_body(self) -> Any:
        raw = self.body()
        try:
            return json.loads(raw or b"null")
        except ValueError:
            self.json(400, {"detail": "body is not JSON"})

    # -- answering -------------------------------------------------------------------------
    def send(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        h = self.handler
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if self.method != "HEAD":
            h.wfile.write(data)
        h.wfile.flush()
        raise Answered()

    def json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self.send(status, json.dumps(obj).encode(), "application/json", headers)

    def malformed(self) -> None:
        self.send(200, b'{"status": "IN_QUE', "application/json")

    def drop(self) -> None:
        """Close the connection without any answer (as a crashed proxy would)."""
        self.handler.close_connection = True
        with contextlib.suppress(OSError):
            self.handler.connection.shutdown(socket.SHUT_RDWR)
        raise Answered()

    def start_events(self) -> None:
        h = self.handler
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True

    def event(self, data: Any, name: str | None = None) -> None:
        text = (f"event: {name}\n" if name else "") + f"data: {json.dumps(data)}\n\n"
        self.handler.wfile.write(text.encode())
        self.handler.wfile.flush()
