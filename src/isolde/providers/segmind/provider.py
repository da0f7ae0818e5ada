"""The `segmind` provider: SAM Audio Large (text prompts), synchronous.

POST {ISOLDE_SEGMIND_URL}/v1/sam-audio-large with `x-api-key`; the audio goes inline as base64
(FLAC), the answer's body is the target's audio. Only the target comes back, so the residual is
computed here: input − target, after matching the target's rate, channels and length to the
input. Inputs longer than `max_chunk_duration` are sent in crossfaded pieces (see cloud.py),
which also keeps every inline body small.
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

import httpx

from isolde.core.errors import ProviderError, ValidationError
from isolde.core.progress import CancelToken
from isolde.providers.assembly import conform_to_input
from isolde.providers.base import (
    Capabilities,
    EventFn,
    JobEvent,
    OptionSpec,
    ProviderResult,
    Request,
    RequestKind,
)
from isolde.providers.cloud import CloudProvider, chunk_options
from isolde.providers.errors import ProtocolError, SubmissionUnknownError
from isolde.providers.media_prep import prepare_audio
from isolde.providers.net.replies import HttpFailure
from isolde.providers.net.urls import join
from isolde.providers.segmind.errors import map_error

BASE_ENV = "ISOLDE_SEGMIND_URL"
ENDPOINT = "sam-audio-large"
# Inline audio is base64 in a JSON body; Segmind publishes no request size limit, so we keep the
# file under 7.5 MiB (10 MiB as base64). A bigger piece is refused before sending, with a hint.
INLINE_LIMIT_BYTES = 7_864_320
# Segmind's model page shows "~$0.062" for a typical call (recorded 2026-11-21); it bills GPU
# time, so this is a rough per-call estimate.
USD_PER_CALL = 0.062
SEND_AS_IS = frozenset({".flac", ".mp3", ".ogg"})  # WAV is re-encoded: FLAC is half the size
TEXT = RequestKind.TEXT


class SegmindProvider(CloudProvider):
    name = "segmind"
    title = "Segmind"
    capabilities = Capabilities(
        mono_output=True,
        kinds=frozenset({TEXT}),
        options=(
            OptionSpec(
                "reranking_candidates",
                int,
                1,
                "candidates generated and ranked; more is better and slower",
                minimum=1,
                maximum=8,
            ),
            OptionSpec(
                "output_format", str, "wav", "format Segmind returns", choices=("wav", "mp3")
            ),
            *chunk_options((TEXT,), 60.0, 2.0),
        ),
        key_env="SEGMIND_API_KEY",
        notes="SAM Audio Large in one synchronous call per piece; returns the target only, "
        "the residual is input − target computed here (exact).",
        price_note="roughly $0.062 per call (Segmind's model page, recorded 2026-11-21)",
    )
    base_url_envs = (BASE_ENV,)
    auth_header = "x-api-key"
    client_chunking = True
    # Only a 200 is billed, so a 502/504 answer can be retried; a connection lost after
    # sending is still "unknown" (the 200 may have been produced and billed).
    ambiguous_statuses: frozenset[int] = frozenset()
    inline_limit = INLINE_LIMIT_BYTES
    timeout = httpx.Timeout(connect=15.0, read=600.0, write=120.0, pool=15.0)

    def map_error(self, failure: HttpFailure) -> ProviderError:
        return map_error(failure)

    def check(self, request: Request, duration_s: float) -> dict[str, str]:
        if request.kind is TEXT and not request.prompt.strip():
            return {"prompt": "Segmind separates by description: give a prompt"}
        return {}

    def estimate_cost(self, request: Request, duration_s: float) -> float | None:
        options = self.resolve_options(request.options, request.kind)
        chunk, overlap = options["max_chunk_duration"], options["chunk_overlap"]
        calls = 1 if duration_s <= chunk else -(-(duration_s - overlap) // (chunk - overlap))
        return round(calls * USD_PER_CALL, 4)

    def run_once(
        self, request: Request, work_dir: Path, on_event: EventFn, cancel: CancelToken | None
    ) -> ProviderResult:
        options = self.resolve_options(request.options, request.kind)
        audio = prepare_audio(request.media_path, work_dir, accepted=SEND_AS_IS, cancel=cancel)
        if audio.size > self.inline_limit:
            raise ValidationError(
                {
                    "option max_chunk_duration": (
                        f"a {audio.size / 2**20:.1f} MiB piece is more than the "
                        f"{self.inline_limit / 2**20:.1f} MiB Segmind takes inline; lower "
                        "max_chunk_duration"
                    )
                }
            )
        # Bounded by inline_limit: the only place a file is base64-encoded in memory.
        encoded = base64.b64encode(audio.path.read_bytes()).decode("ascii")
        body = {
            "audio": encoded,
            "description": request.prompt,
            "output_format": options["output_format"],
            "reranking_candidates": options["reranking_candidates"],
        }
        on_event(JobEvent("running", "separating on Segmind (one synchronous call)"))
        on_event(JobEvent("sending", "sam-audio-large"))  # a billed call may start here
        with self.open_session(cancel) as session:
            try:
                response = session.request(
                    "POST",
                    join(self.base(BASE_ENV), f"v1/{ENDPOINT}"),
                    what="separating",
                    json=body,
                    idempotent=False,
                )
            except SubmissionUnknownError as exc:
                on_event(JobEvent("unknown", str(exc)))
                raise
        del encoded, body
        ctype = response.headers.get("content-type", "").split(";")[0].strip()
        if not (ctype.startswith("audio/") or ctype == "application/octet-stream"):
            raise ProtocolError(
                f"{self.title}: expected audio but got {ctype or 'no content type'} "
                f"({response.text[:120]!r})"
            )
        suffix = mimetypes.guess_extension(ctype) or f".{options['output_format']}"
        engine_target = work_dir / f"engine-target{suffix}"
        engine_target.write_bytes(response.content)
        credits = response.headers.get("x-remaining-credits")
        if credits is not None:
            on_event(JobEvent("log", f"Segmind credits left: {credits}"))
        on_event(JobEvent("running", "computing the residual (input − target)"))
        files = conform_to_input(request.media_path, engine_target, work_dir)
        details = {
            "remaining_credits": credits,
            "generation_time_s": response.headers.get("x-generation-time"),
            "residual": "computed here: input − target (target matched to the input's rate, "
            "channels and length)",
            "sent_as": audio.content_type,
            "cost_basis": self.capabilities.price_note,
        }
        return ProviderResult(
            files=files,
            sample_rate=_rate(files["target"]),
            endpoint=f"segmind/{ENDPOINT}",
            provider_request_id=response.headers.get("x-request-id"),
            cost_usd=USD_PER_CALL,
            details={k: v for k, v in details.items() if v is not None},
        )


def _rate(path: Path) -> int:
    from isolde.audio import probe

    return probe(path).sample_rate
