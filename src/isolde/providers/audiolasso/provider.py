"""The `audiolasso` provider: text prompts with optional span hints, on AudioLasso's queue.

Local files go by `file_id` (AudioLasso refuses localhost and private URLs): POST /v1/files
announces the file, then its bytes are PUT to the returned `upload_url` with exactly the headers
it lists (and no key: the URL is signed). Submit POSTs {"input": {file_id, prompt, spans}}; status
comes from `stream_url` (SSE) with polling as the fallback; the result lists target and residual.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from isolde.core.errors import ProviderError
from isolde.core.progress import CancelToken
from isolde.core.spans import effective_spans
from isolde.providers.audiolasso.errors import map_error
from isolde.providers.base import (
    Capabilities,
    EventFn,
    JobEvent,
    ProviderResult,
    Request,
    RequestKind,
    Submission,
    ignore_events,
)
from isolde.providers.cloud import chunk_options
from isolde.providers.errors import ProtocolError, SubmissionUnknownError
from isolde.providers.media_prep import prepare_audio
from isolde.providers.net.replies import HttpFailure, json_object
from isolde.providers.net.retry import RetryPolicy
from isolde.providers.net.session import HttpSession
from isolde.providers.net.transfer import download, file_body
from isolde.providers.net.urls import check_url, join, origin, own_url
from isolde.providers.queue import QueueProvider, RemoteStatus

BASE_ENV = "ISOLDE_AUDIOLASSO_URL"
PURPOSE = "audio.separate.input"
TEXT, SPANS = RequestKind.TEXT, RequestKind.SPANS


class AudioLassoProvider(QueueProvider):
    name = "audiolasso"
    title = "AudioLasso"
    capabilities = Capabilities(
        mono_output=True,
        kinds=frozenset({TEXT, SPANS}),
        options=chunk_options((TEXT, SPANS), 120.0, 2.0),
        key_env="AUDIOLASSO_API_KEY",
        notes="SAM Audio by prompt, with include/exclude spans as hints (not hard edits); "
        "long audio is sent in crossfaded pieces.",
        queue=True,
        price_note="no published price known",
    )
    base_url_envs = (BASE_ENV,)
    auth_prefix = "Bearer "
    client_chunking = True
    # AudioLasso's guidance: retry only 502 and network errors.
    retry = RetryPolicy(statuses=frozenset({502}))
    ambiguous_statuses: frozenset[int] = frozenset()

    def map_error(self, failure: HttpFailure) -> ProviderError:
        return map_error(failure)

    def status_params(self) -> dict[str, str]:
        return {"logs": "true"}

    def check(self, request: Request, duration_s: float) -> dict[str, str]:
        if not request.prompt.strip():
            return {
                "prompt": "AudioLasso separates by description: give a prompt (spans are "
                "only hints)"
            }
        return {}

    # -- submit ------------------------------------------------------------------------------
    def submit(
        self,
        request: Request,
        work_dir: Path,
        *,
        on_event: EventFn = ignore_events,
        cancel: CancelToken | None = None,
    ) -> Submission:
        audio = prepare_audio(request.media_path, Path(work_dir), cancel=cancel)
        base = self.base(BASE_ENV)
        with self.open_session(cancel) as session:
            on_event(JobEvent("running", f"uploading the audio ({audio.size / 1e6:.1f} MB)"))
            announced = session.request(
                "POST",
                join(base, "v1/files"),
                what="announcing the upload",
                json={
                    "file_name": audio.name,
                    "content_type": audio.content_type,
                    "file_size": audio.size,
                    "purpose": PURPOSE,
                },
            )
            slot = json_object(announced, self.title, "the upload slot", "file_id", "upload_url")
            self._put(session, slot, audio.path, audio.size)
            payload: dict[str, Any] = {"file_id": slot["file_id"], "prompt": request.prompt}
            if request.spans:
                payload["spans"] = [
                    {"start": s.start, "end": s.end, "include": s.include}
                    for s in effective_spans(list(request.spans))
                ]
            on_event(JobEvent("running", "submitting the job"))
            on_event(JobEvent("sending", "v1/queue/audio/separate"))
            response = session.request(
                "POST",
                join(base, "v1/queue/audio/separate"),
                what="submitting the job",
                json={"input": payload},
                idempotent=False,
            )
            try:
                data = json_object(
                    response, self.title, "the submit", "request_id", "status_url", "result_url"
                )
            except ProtocolError as exc:
                raise SubmissionUnknownError(
                    f"{exc} — the job may exist and be billed; check AudioLasso before retrying"
                ) from None
        built = join(base, f"v1/queue/requests/{data['request_id']}")
        return Submission(
            provider=self.name,
            endpoint="audio/separate",
            request_id=str(data["request_id"]),
            status_url=own_url(data["status_url"], f"{built}/status", base),
            result_url=own_url(data["result_url"], f"{built}/result", base),
            cancel_url=None,  # AudioLasso documents no cancel
            stream_url=own_url(data.get("stream_url"), f"{built}/status/stream", base),
            details={
                "kind": request.kind.value,
                "roles": ["target", "residual"],
                "file_id": slot["file_id"],
                "created_at": data.get("created_at"),
            },
        )

    def _put(self, session: HttpSession, slot: dict[str, Any], path: Path, size: int) -> None:
        method = str(slot.get("upload_method", "PUT")).upper()
        if method != "PUT":
            raise ProtocolError(f"{self.title}: asked to upload with {method}, expected PUT")
        headers = slot.get("headers") or {}
        if not isinstance(headers, dict):
            raise ProtocolError(f"{self.title}: the upload headers are not an object")
        told = {str(k): str(v) for k, v in headers.items()}
        session.request(
            "PUT",
            check_url(str(slot["upload_url"]), "the upload URL"),
            what="uploading the audio",
            content=file_body(path),
            headers={**told, "Content-Length": str(size)},
            auth=False,
        )

    # -- status ------------------------------------------------------------------------------
    def interpret(self, data: Any) -> RemoteStatus:
        if not isinstance(data, dict) or "status" not in data:
            raise ProtocolError(f"{self.title}: a status answer without a status")
        logs = tuple(
            (f"{entry.get('timestamp')}|{entry.get('message')}", str(entry.get("message")))
            for entry in data.get("logs") or ()
            if isinstance(entry, dict) and entry.get("message")
        )
        state = {
            "IN_QUEUE": "queued",
            "IN_PROGRESS": "running",
            "COMPLETED": "done",
            "FAILED": "failed",
        }.get(str(data["status"]), "running")
        error = data.get("error")
        if isinstance(error, dict):
            error = error.get("message") or error.get("code")
        position = data.get("queue_position")
        return RemoteStatus(
            state, position if isinstance(position, int) else None, logs, str(error or "")
        )

    # -- fetch -------------------------------------------------------------------------------
    def fetch(
        self,
        submission: Submission,
        work_dir: Path,
        *,
        on_event: EventFn = ignore_events,
        cancel: CancelToken | None = None,
    ) -> ProviderResult:
        work_dir = Path(work_dir)
        work_dir.mkdir(parents=True, exist_ok=True)
        with self.open_session(cancel) as session:
            response = session.request("GET", submission.result_url, what="fetching the result")
            result = json_object(response, self.title, "the result", "data")
            data = result["data"]
            files = {}
            for role in ("target", "residual"):
                file = data.get(role) if isinstance(data, dict) else None
                if not isinstance(file, dict) or not file.get("url"):
                    raise ProtocolError(f"{self.title}: the result has no {role} URL")
                url = check_url(str(file["url"]), f"the {role}'s URL")
                suffix = Path(str(file.get("file_name") or url.split("?")[0])).suffix or ".wav"
                on_event(JobEvent("running", f"downloading the {role}"))
                # Result files on AudioLasso's own host may need the key; elsewhere they are signed.
                own = session.auth is not None and origin(url) in session.auth.origins
                files[role] = download(
                    session,
                    url,
                    work_dir / f"{role}{suffix}",
                    what=f"downloading the {role}",
                    auth=own,
                )
        from isolde.audio import probe

        return ProviderResult(
            files=files,
            sample_rate=probe(files["target"]).sample_rate,
            endpoint="audiolasso/audio/separate",
            provider_request_id=submission.request_id,
            cost_usd=None,
            details={
                "request_id": submission.request_id,
                "engine_sample_rate": data.get("sample_rate"),
            },
        )
