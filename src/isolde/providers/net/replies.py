"""Reading servers' answers safely: failures for error mappers, JSON that must be there, URLs
fit for messages. Everything taken from a server is scrubbed of known keys first."""

from __future__ import annotations

import contextlib
import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from isolde.core.redact import scrub
from isolde.providers.errors import ProtocolError
from isolde.providers.net.retry import parse_retry_after

BODY_SNIPPET = 300  # characters of a server's error body kept for messages


@dataclass(frozen=True)
class HttpFailure:
    """A final error status, as an error mapper sees it (body scrubbed and cut short)."""

    status: int
    what: str
    text: str
    data: Any = None  # the body as JSON, when it was JSON
    headers: Mapping[str, str] = field(default_factory=dict)
    retry_after_s: float | None = None


def safe_url(url: str) -> str:
    """For logs and messages: no query string (signed URLs carry tokens there)."""
    parts = urlsplit(url)
    return scrub(f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}")


def scrubbed(response: httpx.Response, what: str) -> HttpFailure:
    """The final error answer `response` as an HttpFailure (body read, scrubbed, cut short)."""
    try:
        raw = response.read()
    except httpx.TransportError:
        raw = b""
    finally:
        response.close()
    text = scrub(raw.decode("utf-8", "replace"))
    data = None
    with contextlib.suppress(ValueError):
        data = jsonlib.loads(text)
    return HttpFailure(
        status=response.status_code,
        what=what,
        text=text[:BODY_SNIPPET],
        data=data,
        headers={k.lower(): scrub(v) for k, v in response.headers.items()},
        retry_after_s=parse_retry_after(response.headers.get("retry-after")),
    )


def json_body(response: httpx.Response, title: str, what: str) -> Any:
    """The response's JSON, or ProtocolError quoting the start of what came instead."""
    try:
        return response.json()
    except ValueError:
        snippet = scrub(response.text[:120])
        raise ProtocolError(
            f"{title}: the server's answer to {what} is not valid JSON ({snippet!r}); "
            "try again later"
        ) from None


def json_object(response: httpx.Response, title: str, what: str, *keys: str) -> dict[str, Any]:
    """A JSON object that has every one of `keys`, else ProtocolError naming the missing one."""
    data = json_body(response, title, what)
    if not isinstance(data, dict):
        raise ProtocolError(f"{title}: the answer to {what} is not a JSON object")
    missing = [k for k in keys if data.get(k) in (None, "")]
    if missing:
        raise ProtocolError(
            f"{title}: the answer to {what} lacks {', '.join(missing)}; try again later"
        )
    return data
