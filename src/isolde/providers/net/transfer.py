"""Moving files without holding them in memory: bodies read from disk, downloads written to it."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from isolde.providers.errors import ServerUnavailableError
from isolde.providers.net.replies import safe_url
from isolde.providers.net.retry import wait
from isolde.providers.net.session import HttpSession

CHUNK = 1 << 16
log = logging.getLogger(__name__)


def file_body(
    path: Path, offset: int = 0, length: int | None = None
) -> Callable[[], Iterator[bytes]]:
    """A body factory: each call streams bytes [offset, offset + length) of `path` afresh,
    so a retried request re-reads the file rather than a copy kept in memory."""
    size = path.stat().st_size if length is None else length

    def chunks() -> Iterator[bytes]:
        left = size
        with open(path, "rb") as f:
            f.seek(offset)
            while left > 0:
                block = f.read(min(CHUNK, left))
                if not block:
                    raise OSError(f"{path} ended {left} bytes early while being uploaded")
                left -= len(block)
                yield block

    return chunks


def download(
    session: HttpSession,
    url: str,
    dest: Path,
    *,
    what: str,
    auth: bool = False,
    on_bytes: Callable[[int, int | None], None] | None = None,
) -> Path:
    """Stream `url` into `dest` (via a temp file); a connection that drops mid-body is retried
    from the start, up to the session's retry attempts."""
    tmp = dest.with_name(f".{dest.name}.part")
    attempt = 0
    try:
        while True:
            try:
                with session.stream("GET", url, what=what, auth=auth) as response:
                    expected = _length(response)
                    got = 0
                    with open(tmp, "wb") as f:
                        for block in response.iter_bytes(CHUNK):
                            session.check_cancel()
                            f.write(block)
                            got += len(block)
                            if on_bytes is not None:
                                on_bytes(got, expected)
                    if expected is not None and got != expected:
                        raise httpx.ReadError(f"got {got} of {expected} bytes")
                break
            except httpx.TransportError as exc:
                error = session.transport_failed(exc, what)
                if attempt + 1 >= session.retry.attempts:
                    raise ServerUnavailableError(
                        f"{error} (the download of {safe_url(url)} failed {attempt + 1} times)"
                    ) from None
                log.info(
                    "%s: download of %s broke (%s); starting again",
                    session.title,
                    safe_url(url),
                    type(exc).__name__,
                )
                wait(session.retry.delay(attempt), session.cancel)
                attempt += 1
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return dest


def _length(response: httpx.Response) -> int | None:
    try:
        value = int(response.headers.get("content-length", ""))
    except ValueError:
        return None
    # A compressed body's length is not the decoded length we count.
    return None if response.headers.get("content-encoding") else value
