"""What the three cloud engines share: the key, the HTTP session, validation up front, chunking.

`run` validates and checks the key before anything is uploaded; then, for an engine without
server-side chunking (`client_chunking`), a long input is split into overlapping windows that are
sent one by one and stitched with crossfades (see `assembly`), each through `run_once`.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from pathlib import Path

import httpx

from isolde.audio import open_audio, probe
from isolde.core.errors import MissingKeyError, ProviderError
from isolde.core.progress import CancelToken
from isolde.core.redact import Secret
from isolde.providers.assembly import run_windows
from isolde.providers.base import (
    EventFn,
    JobEvent,
    OptionSpec,
    Provider,
    ProviderResult,
    Request,
    RequestKind,
    ignore_events,
)
from isolde.providers.net import keys
from isolde.providers.net.replies import HttpFailure
from isolde.providers.net.retry import PollPolicy, RetryPolicy
from isolde.providers.net.session import DEFAULT_TIMEOUT, Auth, HttpSession
from isolde.providers.net.urls import base_url, origin
from isolde.providers.windows import chunk_windows

log = logging.getLogger(__name__)


def chunk_options(
    kinds: tuple[RequestKind, ...], chunk_s: float, overlap_s: float
) -> tuple[OptionSpec, ...]:
    """Options for engines we chunk ourselves (same names as fal's server-side ones)."""
    return (
        OptionSpec(
            "max_chunk_duration",
            float,
            chunk_s,
            "longest piece sent in one call, in seconds; longer audio is split here into "
            "overlapping pieces and crossfaded back together",
            minimum=5.0,
            maximum=600.0,
            kinds=kinds,
        ),
        OptionSpec(
            "chunk_overlap",
            float,
            overlap_s,
            "seconds shared by neighbouring pieces, crossfaded at the seam",
            minimum=0.0,
            maximum=30.0,
            kinds=kinds,
        ),
    )


class CloudProvider(Provider):
    base_url_envs: tuple[str, ...] = ()  # the key may be sent to these origins only
    auth_header = "Authorization"
    auth_prefix = ""
    # Values, so that tests (and a slow network) can use other timings.
    retry = RetryPolicy()
    poll_policy = PollPolicy()
    timeout = DEFAULT_TIMEOUT
    ambiguous_statuses: frozenset[int] = frozenset({502, 504})
    client_chunking = False

    @property
    def key_env(self) -> str:
        assert self.capabilities.key_env is not None
        return self.capabilities.key_env

    def key_configured(self) -> bool:
        return keys.key_source(self.key_env) is not None

    def api_key(self) -> Secret:
        return keys.require_key(self.key_env, self.title)

    def base(self, env_name: str) -> str:
        return base_url(env_name)

    def open_session(self, cancel: CancelToken | None = None) -> HttpSession:
        auth = Auth(
            self.auth_header,
            self.auth_prefix,
            self.api_key(),
            frozenset(origin(self.base(env)) for env in self.base_url_envs),
        )
        return HttpSession(
            self.title,
            auth=auth,
            map_error=self.map_error,
            retry=self.retry,
            cancel=cancel,
            timeout=self.timeout,
            ambiguous_statuses=self.ambiguous_statuses,
        )

    @abstractmethod
    def map_error(self, failure: HttpFailure) -> ProviderError:
        """A final HTTP error as a message the user can act on."""

    def run(
        self,
        request: Request,
        work_dir: Path,
        *,
        on_event: EventFn = ignore_events,
        cancel: CancelToken | None = None,
    ) -> ProviderResult:
        duration = probe(request.media_path).duration
        self.validate(request, duration)
        if not self.key_configured():
            raise MissingKeyError(keys.missing_key_message(self.key_env, self.title))
        options = self.resolve_options(request.options, request.kind)
        work_dir = Path(work_dir)
        work_dir.mkdir(parents=True, exist_ok=True)
        chunk_s = options.get("max_chunk_duration")
        if self.client_chunking and chunk_s and duration > chunk_s:
            with open_audio(request.media_path, cancel=cancel) as source:
                windows = chunk_windows(
                    source.frames, source.sample_rate, chunk_s, options["chunk_overlap"]
                )
            log.info("%s: %.1f s input sent as %d pieces", self.name, duration, len(windows))

            def run_piece(sub: Request, part_dir: Path, events: EventFn) -> ProviderResult:
                return self.run_once(sub, part_dir, events, cancel)

            result = run_windows(
                run_piece,
                request,
                windows,
                work_dir,
                on_event=on_event,
                cancel=cancel,
                purpose="chunks",
            )
        else:
            result = self.run_once(request, work_dir, on_event, cancel)
        on_event(JobEvent("done", "finished", 1.0))
        return result

    @abstractmethod
    def run_once(
        self, request: Request, work_dir: Path, on_event: EventFn, cancel: CancelToken | None
    ) -> ProviderResult:
        """One engine call for the whole of `request.media_path` (no "done" event: run sends it)."""


def stream_timeout(idle_s: float) -> httpx.Timeout:
    """For event streams: a read may wait `idle_s` for the next event before we poll instead."""
    return httpx.Timeout(DEFAULT_TIMEOUT.connect, read=idle_s, write=30.0, pool=15.0)
