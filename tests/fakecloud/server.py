"""A loopback HTTP server speaking fal's, Segmind's and AudioLasso's protocols (PROVIDERS.md).

One threaded server on 127.0.0.1 (ephemeral port) serves all three under path prefixes, so the
real clients reach it through the ISOLDE_*_URL variables (`env()`). It is strict about auth
headers, paths and bodies, produces real audio, and misbehaves on cue (`faults`).
"""

from __future__ import annotations

import itertools
import logging
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .faults import Faults
from .httpkit import Answered, Exchange

log = logging.getLogger("fakecloud")


@dataclass
class StoredFile:
    path: Path
    content_type: str
    name: str


@dataclass
class Job:
    provider: str
    endpoint: str
    body: dict[str, Any]
    steps: list[dict[str, Any]]
    index: int = 0
    cancelled: bool = False
    outputs: dict[str, Any] | None = None  # the result document, once made
    error: tuple[int, Any] | None = None  # (status, body) the result call answers

    def current(self) -> dict[str, Any]:
        return self.steps[self.index]

    def advance(self) -> dict[str, Any]:
        step = self.steps[self.index]
        self.index = min(self.index + 1, len(self.steps) - 1)
        return step


@dataclass
class Hit:
    """One request the server saw (auth header values are kept out)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    size: int = 0
    json: Any = None


@dataclass
class FakeCloud:
    fal_key: str = "fake-fal-key"
    segmind_key: str = "fake-segmind-key"
    audiolasso_key: str = "fake-audiolasso-key"
    faults: Faults = field(default_factory=Faults)
    hits: list[Hit] = field(default_factory=list)
    files: dict[str, StoredFile] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)  # multipart/presigned state
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._tmp = tempfile.TemporaryDirectory(prefix="fakecloud-")
        self.folder = Path(self._tmp.name)
        self._server: ThreadingHTTPServer | None = None
        self.fal_token = f"fal-cdn-token-{id(self):x}"

    # -- lifetime ------------------------------------------------------------------------
    def start(self, port: int = 0) -> FakeCloud:
        cloud = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                cloud.dispatch(self)

            do_POST = do_PUT = do_DELETE = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("%s %s", self.address_string(), format % args)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                # A client that hangs up mid-answer (cancel, dropped stream) is expected here.
                log.debug("connection from %s ended abruptly", client_address, exc_info=True)

        self._server = Server(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="fakecloud", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self._tmp.cleanup()

    def __enter__(self) -> FakeCloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake cloud first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def env(self, *, keys: bool = True) -> dict[str, str]:
        out = {
            "ISOLDE_FAL_QUEUE_URL": f"{self.url}/fal/queue",
            "ISOLDE_FAL_REST_URL": f"{self.url}/fal/rest",
            "ISOLDE_SEGMIND_URL": f"{self.url}/segmind",
            "ISOLDE_AUDIOLASSO_URL": f"{self.url}/audiolasso",
        }
        if keys:
            out |= {
                "FAL_KEY": self.fal_key,
                "SEGMIND_API_KEY": self.segmind_key,
                "AUDIOLASSO_API_KEY": self.audiolasso_key,
            }
        return out

    # -- helpers for the protocol modules ------------------------------------------------
    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):04d}{int(time.time() * 1000) % 100000:05d}"

    def store(self, data: bytes, content_type: str, name: str) -> tuple[str, str]:
        """Keep `data`; returns (file id, public download URL)."""
        fid = self.new_id("f")
        path = self.folder / fid
        path.write_bytes(data)
        with self.lock:
            self.files[fid] = StoredFile(path, content_type, name)
        return fid, f"{self.url}/cdn/files/{fid}/{name}"

    def resolve(self, url: str) -> bytes | None:
        """The bytes behind one of our own file URLs (or a data: URI), else None."""
        if url.startswith("data:"):
            import base64

            return base64.b64decode(url.partition(",")[2])
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.url:
            return None
        segments = parts.path.strip("/").split("/")
        for i, segment in enumerate(segments[:-1]):
            if segment == "files" and segments[i + 1] in self.files:
                return self.files[segments[i + 1]].path.read_bytes()
        return None

    def hits_to(self, fragment: str, method: str | None = None) -> list[Hit]:
        return [h for h in self.hits if fragment in h.path and (method in (None, h.method))]

    # -- dispatch ------------------------------------------------------------------------
    def dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        from . import audiolasso_api, fal_api, segmind_api

        ex = Exchange(handler)
        hidden = {"authorization", "x-api-key"}
        hit = Hit(
            ex.method,
            ex.path,
            ex.query,
            {k: ("<set>" if k in hidden else v) for k, v in ex.headers.items()},
        )
        with self.lock:
            self.hits.append(hit)
        routes = (
            ("/fal/", fal_api.handle),
            ("/segmind/", segmind_api.handle),
            ("/audiolasso", audiolasso_api.handle),
            ("/cdn/files/", self._download),
        )
        try:
            for prefix, route in routes:
                if ex.path.startswith(prefix):
                    route(self, ex, hit)
            ex.json(404, {"detail": f"no route for {ex.method} {ex.path}"})
        except Answered:
            pass
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def scripted(self, ex: Exchange, route: str, error_body: Any) -> None:
        """Answer as scripted for `route` if a fault is queued there; else return."""
        fault = self.faults.take(route)
        if fault is None:
            return
        if fault == "drop":
            ex.body()
            ex.drop()
        if fault == "malformed":
            ex.body()
            ex.malformed()
        ex.body()
        headers = {}
        if fault in (429, 503) and self.faults.retry_after is not None:
            headers["Retry-After"] = self.faults.retry_after
        ex.json(int(fault), error_body(int(fault)), headers)

    def _download(self, cloud: FakeCloud, ex: Exchange, hit: Hit) -> None:
        fid = ex.path.split("/")[3]
        stored = self.files.get(fid)
        self.scripted(ex, "download", lambda s: {"detail": f"scripted {s}"})
        if stored is None or ex.method != "GET":
            ex.json(404, {"detail": "file not found"})
        data = stored.path.read_bytes()
        time.sleep(self.faults.download_delay_s)
        if self.faults.stall_downloads or self.faults.take_flag("drop_downloads"):
            self._cut_short(ex, data, stored.content_type)
        ex.send(200, data, stored.content_type)

    def _cut_short(self, ex: Exchange, data: bytes, content_type: str) -> None:
        h = ex.handler
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data[: len(data) // 2])
        h.wfile.flush()
        if self.faults.stall_downloads:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and self._server is not None:
                time.sleep(0.02)
        ex.drop()
