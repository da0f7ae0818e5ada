"""One job's HTTP: retries with backoff, keys only to their own origin, prompt cancel.

Retries cover transport errors and the policy's statuses (408, 429, 502, 503, 504), honouring
Retry-After. A call marked `idempotent=False` (a submit that creates a paid job) is never re-sent
once its request may have reached the server: that becomes SubmissionUnknownError.

Cancel: a watcher thread shuts down this session's sockets when the token fires, so a read that
is blocked waiting for a slow server (a synchronous engine, an idle event stream) returns at once.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from isolde.core.errors import Cancelled, ProviderError
from isolde.core.progress import CancelToken
from isolde.core.redact import Secret
from isolde.providers.errors import ServerUnavailableError, SubmissionUnknownError
from isolde.providers.net.replies import HttpFailure, safe_url, scrubbed
from isolde.providers.net.retry import RetryPolicy, wait
from isolde.providers.net.urls import UrlPolicyError, check_url, origin

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = httpx.Timeout(connect=15.0, read=60.0, write=60.0, pool=15.0)
Content = bytes | Callable[[], Iterable[bytes]] | None


@dataclass(frozen=True)
class Auth:
    """How a provider's key is sent, and the only origins it may be sent to."""

    header: str  # "Authorization", "x-api-key"
    prefix: str  # "Key ", "Bearer ", ""
    key: Secret
    origins: frozenset[tuple[str, str, int]]

    def value(self) -> str:
        return self.prefix + self.key.reveal()


ErrorMapper = Callable[[HttpFailure], ProviderError]


class HttpSession:
    def __init__(
        self,
        title: str,
        *,
        auth: Auth | None,
        map_error: ErrorMapper,
        retry: RetryPolicy,
        cancel: CancelToken | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        ambiguous_statuses: frozenset[int] = frozenset({502, 504}),
    ) -> None:
        self.title = title
        self.auth = auth
        self.map_error = map_error
        self.retry = retry
        self.cancel = cancel
        self.ambiguous_statuses = ambiguous_statuses
        # Redirects are followed (CDNs redirect downloads); every hop is checked (_check_hop).
        self.client = httpx.Client(
            timeout=timeout, follow_redirects=True, event_hooks={"request": [self._check_hop]}
        )
        self._streams: list[Any] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        if cancel is not None:
            threading.Thread(
                target=self._watch_cancel, name="isolde-http-cancel", daemon=True
            ).start()

    # -- lifetime ------------------------------------------------------------------------
    def close(self) -> None:
        self._closed.set()
        self.client.close()

    def __enter__(self) -> HttpSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check_cancel(self) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()

    def _watch_cancel(self) -> None:
        assert self.cancel is not None
        while not self._closed.wait(0.02):
            if self.cancel.cancelled:
                with self._lock:
                    streams = list(self._streams)
                for stream in streams:
                    sock = stream.get_extra_info("socket")
                    with contextlib.suppress(OSError, AttributeError):
                        sock.shutdown(socket.SHUT_RDWR)
                return

    def _one_off_client(self) -> httpx.Client:
        return httpx.Client(
            timeout=self.client.timeout,
            follow_redirects=True,
            event_hooks={"request": [self._check_hop]},
        )

    def _check_hop(self, request: httpx.Request) -> None:
        """Every request, redirects included: allowed URL, and no key to a foreign origin."""
        url = str(request.url)
        check_url(url, "a redirect")
        if (
            self.auth is not None
            and origin(url) not in self.auth.origins
            and request.headers.get(self.auth.header) == self.auth.value()
        ):
            del request.headers[self.auth.header]

    def _tracer(self, sent: list[bool]) -> Callable[[str, dict[str, Any]], None]:
        def trace(name: str, info: dict[str, Any]) -> None:
            if name.endswith(("connect_tcp.complete", "start_tls.complete")):
                with self._lock:
                    self._streams.append(info["return_value"])
                    del self._streams[:-16]  # old pooled connections are long gone
                if self.cancel is not None and self.cancel.cancelled:
                    raise Cancelled()
            elif name.endswith("send_request_headers.started"):
                sent[0] = True

        return trace

    # -- requests ------------------------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        json: Any = None,
        content: Content = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        auth: bool = True,
        idempotent: bool = True,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        """Send with retries; returns a 2xx response with its body read, or raises mapped."""
        return self._send(
            method, url, what, json, content, headers, params, auth, idempotent, False, timeout
        )

    @contextlib.contextmanager
    def stream(
        self,
        method: str,
        url: str,
        *,
        what: str,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        auth: bool = True,
        timeout: httpx.Timeout | None = None,
    ) -> Iterator[httpx.Response]:
        """A 2xx response whose body is read by the caller (downloads, event streams)."""
        response = self._send(
            method, url, what, None, None, headers, params, auth, True, True, timeout
        )
        try:
            yield response
        finally:
            response.close()

    def transport_failed(self, exc: Exception, what: str) -> ProviderError:
        """The error for a connection that broke mid-body (after a cancel: Cancelled)."""
        self.check_cancel()
        return ServerUnavailableError(
            f"{self.title}: the connection broke while {what} ({type(exc).__name__}); "
            "check your connection and try again"
        )

    def _headers(self, url: str, headers: Mapping[str, str] | None, auth: bool) -> dict[str, str]:
        out = dict(headers or {})
        if auth and self.auth is not None:
            if origin(url) not in self.auth.origins:
                raise UrlPolicyError(
                    f"{self.title}: the server pointed to {safe_url(url)}, which is not its own "
                    "address; Isolde does not send your key there"
                )
            out[self.auth.header] = self.auth.value()
        return out

    def _send(
        self,
        method: str,
        url: str,
        what: str,
        json: Any,
        content: Content,
        headers: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
        auth: bool,
        idempotent: bool,
        stream: bool,
        timeout: httpx.Timeout | None,
    ) -> httpx.Response:
        check_url(url, f"the URL for {what}")
        all_headers = self._headers(url, headers, auth)
        attempt = 0
        while True:
            self.check_cancel()
            sent = [False]
            body = content() if callable(content) else content
            # A submit gets a connection of its own: on a pooled one the server may have
            # closed meanwhile, a failure would look as if the submit had reached it.
            client = self.client if idempotent else self._one_off_client()
            request = client.build_request(
                method,
                url,
                json=json,
                content=body,
                headers=all_headers,
                params=params,
                timeout=timeout or self.client.timeout,
                extensions={"trace": self._tracer(sent)},
            )
            log.debug("%s %s (%s), try %d", method, safe_url(url), what, attempt + 1)
            try:
                response = client.send(request, stream=stream)
            except httpx.TransportError as exc:
                if not idempotent and sent[0] and self.cancel is not None and self.cancel.cancelled:
                    raise Cancelled(
                        f"cancelled while waiting for {self.title} to accept the job; it may have "
                        "been created — check the provider's dashboard"
                    ) from None
                self.check_cancel()
                if not idempotent and sent[0]:
                    raise self._unknown(
                        what, f"the connection broke ({type(exc).__name__})"
                    ) from None
                if attempt + 1 >= self.retry.attempts:
                    raise ServerUnavailableError(
                        f"{self.title}: could not reach the server while {what} "
                        f"({type(exc).__name__}, {attempt + 1} tries); check your connection "
                        "and try again"
                    ) from None
                delay = self.retry.delay(attempt)
                log.info(
                    "%s: %s while %s; retrying in %.2f s",
                    self.title,
                    type(exc).__name__,
                    what,
                    delay,
                )
                wait(delay, self.cancel)
                attempt += 1
                continue
            finally:
                if client is not self.client:
                    client.close()  # the body is read (submits never stream)
            log.debug("%s %s -> %d", method, safe_url(url), response.status_code)
            if response.is_success:
                return response
            failure = scrubbed(response, what)
            if failure.status in self.retry.statuses:
                if not idempotent and failure.status in self.ambiguous_statuses:
                    raise self._unknown(what, f"the gateway answered {failure.status}")
                delay = (
                    failure.retry_after_s
                    if failure.retry_after_s is not None
                    else self.retry.delay(attempt)
                )
                if attempt + 1 < self.retry.attempts and delay <= self.retry.max_retry_after_s:
                    log.info(
                        "%s: %d while %s; retrying in %.2f s",
                        self.title,
                        failure.status,
                        what,
                        delay,
                    )
                    wait(delay, self.cancel)
                    attempt += 1
                    continue
            raise self.map_error(failure)

    def _unknown(self, what: str, why: str) -> SubmissionUnknownError:
        return SubmissionUnknownError(
            f"{self.title}: {why} after the request for {what} was sent, so the job may or may "
            "not have been created (and billed). Isolde did not send it again, to avoid a "
            "second paid job: check the provider's dashboard before trying again"
        )
