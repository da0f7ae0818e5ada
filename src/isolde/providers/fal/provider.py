"""The `fal` provider: SAM Audio (text, spans, visual) and Stable Audio 3 inpainting on fal's queue.

Submit uploads the media with fal's storage flow and POSTs the input to
{ISOLDE_FAL_QUEUE_URL}/{endpoint}; status, result and cancel use the URLs fal returns (they name
only owner/app, not the endpoint's sub-path). There is no FAILED status: a failed job reads
COMPLETED and its result call returns the error, so errors are mapped there too.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from isolde.audio import probe
from isolde.core.errors import ProviderError, ValidationError
from isolde.core.progress import CancelToken
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
from isolde.providers.errors import JobFailedError, ProtocolError, SubmissionUnknownError
from isolde.providers.fal import endpoints
from isolde.providers.fal.errors import map_error
from isolde.providers.fal.predicted_spans import predicted_spans
from isolde.providers.fal.storage import MULTIPART_THRESHOLD, PART_SIZE, FalStorage
from isolde.providers.media_prep import prepare_audio, prepare_video
from isolde.providers.net.replies import HttpFailure, json_object
from isolde.providers.net.session import HttpSession
from isolde.providers.net.transfer import download
from isolde.providers.net.urls import join, own_url
from isolde.providers.queue import QueueProvider, RemoteStatus
from isolde.providers.windows import context_for

QUEUE_ENV, REST_ENV = "ISOLDE_FAL_QUEUE_URL", "ISOLDE_FAL_REST_URL"
NOTES = (
    "SAM Audio separates any sound you describe, mark with spans, or paint in a video "
    "(outputs are mono, 48 kHz); Stable Audio 3 regenerates an inpaint region from a prompt. "
    "Only the region (or your selection) plus a little context is sent for inpainting."
)
PRICE_NOTE = (
    "SAM Audio: $0.05 per 30 s of output + $0.025 per 30 s per extra reranking candidate "
    "(fal's published price, recorded 2026-11-21); Stable Audio 3 medium/base: $0.0537 per clip"
)


class FalProvider(QueueProvider):
    name = "fal"
    title = "fal.ai"
    capabilities = Capabilities(
        mono_output=True,
        kinds=frozenset(RequestKind),
        options=endpoints.OPTIONS,
        key_env="FAL_KEY",
        notes=NOTES,
        queue=True,
        price_note=PRICE_NOTE,
    )
    base_url_envs = (QUEUE_ENV, REST_ENV)
    auth_prefix = "Key "
    multipart_threshold = MULTIPART_THRESHOLD
    part_size = PART_SIZE

    def map_error(self, failure: HttpFailure) -> ProviderError:
        error = map_error(failure)
        if failure.status >= 500 and failure.what.startswith("fetching the result"):
            return JobFailedError(f"{self.title}: the job failed — {error}", reason=failure.text)
        return error

    def status_params(self) -> dict[str, str]:
        return {"logs": "1"}

    def check(self, request: Request, duration_s: float) -> dict[str, str]:
        try:
            options = self.resolve_options(request.options, request.kind)
        except ValidationError:
            return {}  # validate() reports the option problems themselves
        out = endpoints.problems(request, options, request.selection is not None)
        if request.kind is RequestKind.INPAINT:
            sent = (
                request.selection.length + 2 * context_for(request.kind)
                if request.selection
                else duration_s
            )
            limit = endpoints.variant_max_s(options["variant"])
            if sent > limit + 1e-6:
                out["region"] = (
                    f"{sent:.0f} s of audio would be sent, more than the {limit:.0f} s "
                    f"{options['variant']} takes; use a shorter region or the medium variant"
                )
        return out

    def estimate_cost(self, request: Request, duration_s: float) -> float | None:
        options = self.resolve_options(request.options, request.kind)
        return endpoints.estimate_usd(request, options, duration_s)

    # -- submit ------------------------------------------------------------------------------
    def storage(self) -> FalStorage:
        return FalStorage(
            self.base(REST_ENV),
            multipart_threshold=self.multipart_threshold,
            part_size=self.part_size,
        )

    def submit(
        self,
        request: Request,
        work_dir: Path,
        *,
        on_event: EventFn = ignore_events,
        cancel: CancelToken | None = None,
    ) -> Submission:
        options = self.resolve_options(request.options, request.kind)
        endpoint = endpoints.endpoint_for(request, options)
        duration = probe(request.media_path).duration
        storage = self.storage()
        with self.open_session(cancel) as session:

            def send(path: Any, label: str) -> str:
                def progress(done: int, total: int) -> None:
                    on_event(
                        JobEvent(
                            "running",
                            f"uploading the {label}: {done / 1e6:.0f} of {total / 1e6:.0f} MB",
                            done / max(total, 1),
                        )
                    )

                on_event(JobEvent("running", f"uploading the {label} ({path.size / 1e6:.1f} MB)"))
                return storage.upload(session, path, progress)

            if request.kind is RequestKind.VISUAL:
                assert request.video_path is not None
                body = endpoints.sam_input(
                    request, options, send(prepare_video(request.video_path), "video")
                )
                if request.mask_path:
                    body["mask_video_url"] = send(prepare_video(request.mask_path), "mask video")
            else:
                audio = prepare_audio(request.media_path, work_dir, cancel=cancel)
                url = send(audio, "audio")
                body = (
                    endpoints.inpaint_input(request, options, url)
                    if request.kind is RequestKind.INPAINT
                    else endpoints.sam_input(request, options, url)
                )
            data, queue = self.post_job(session, endpoint, body, on_event)
        return self._submission(request, endpoint, options, duration, data, queue)

    def post_job(
        self, session: HttpSession, endpoint: str, body: dict[str, Any], on_event: EventFn
    ) -> tuple[dict[str, Any], str]:
        """POST the job to fal's queue, once; fal's answer and the queue's base URL.

        An answer we cannot read means the job may exist: SubmissionUnknownError, never resent.
        """
        on_event(JobEvent("running", f"submitting to {endpoint}"))
        on_event(JobEvent("sending", endpoint))  # from here a crash leaves the job unknown
        queue = self.base(QUEUE_ENV)
        response = session.request(
            "POST",
            join(queue, endpoint),
            what="submitting the job",
            json=body,
            idempotent=False,
        )
        try:
            data = json_object(response, self.title, "the submit", "request_id")
        except ProtocolError as exc:
            # The job was accepted (2xx) but we cannot tell which: never submit again.
            raise SubmissionUnknownError(
                f"{exc} — the job may exist and be billed; check fal's dashboard before "
                "trying again"
            ) from None
        return data, queue

    def new_submission(
        self, endpoint: str, data: dict[str, Any], queue: str, details: dict[str, Any]
    ) -> Submission:
        """The Submission for fal's answer `data` to a POST to `endpoint` on `queue`."""
        request_id = str(data["request_id"])
        # Status/result/cancel live under owner/app only, whatever the endpoint's sub-path.
        app = "/".join(endpoint.split("/")[:2])
        base = join(queue, f"{app}/requests/{request_id}")
        status_url = own_url(data.get("status_url"), f"{base}/status", queue)
        return Submission(
            provider=self.name,
            endpoint=endpoint,
            request_id=request_id,
            status_url=status_url,
            result_url=own_url(data.get("response_url"), base, queue),
            cancel_url=own_url(data.get("cancel_url"), f"{base}/cancel", queue),
            stream_url=urlsplit(status_url)._replace(query="").geturl() + "/stream",
            details=details,
        )

    def _submission(
        self,
        request: Request,
        endpoint: str,
        options: dict[str, Any],
        duration: float,
        data: dict[str, Any],
        queue: str,
    ) -> Submission:
        roles = ["inpainted"] if request.kind is RequestKind.INPAINT else ["target", "residual"]
        details = {
            "kind": request.kind.value,
            "roles": roles,
            "duration_s": round(duration, 4),
            "cost_usd": endpoints.estimate_usd(request, options, duration),
            "output_format": options["output_format"],
        }
        return self.new_submission(endpoint, data, queue, details)

    # -- status ------------------------------------------------------------------------------
    def interpret(self, data: Any) -> RemoteStatus:
        if not isinstance(data, dict) or "status" not in data:
            raise ProtocolError(f"{self.title}: a status answer without a status")
        logs = tuple(
            (f"{entry.get('timestamp')}|{entry.get('message')}", str(entry.get("message", "")))
            for entry in data.get("logs") or ()
            if isinstance(entry, dict) and entry.get("message")
        )
        state = {"IN_QUEUE": "queued", "IN_PROGRESS": "running", "COMPLETED": "done"}.get(
            str(data["status"]), "running"
        )
        position = data.get("queue_position")
        return RemoteStatus(state, position if isinstance(position, int) else None, logs)

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
        roles = list(submission.details.get("roles") or ["target", "residual"])
        with self.open_session(cancel) as session:
            response = session.request("GET", submission.result_url, what="fetching the result")
            keys = ["audio"] if roles == ["inpainted"] else roles
            data = json_object(response, self.title, "the result", *keys)
            files = {}
            for role, key in zip(roles, keys, strict=True):
                files[role] = self._download(session, data[key], role, work_dir, on_event)
        rate = probe(files[roles[0]]).sample_rate
        details = {
            "request_id": submission.request_id,
            "duration_s": data.get("duration"),
            "output_format": submission.details.get("output_format"),
            "engine_sample_rate": data.get("sample_rate", rate),
            "cost_basis": PRICE_NOTE,
        }
        if "seed" in data:
            details["seed"] = data["seed"]
        if submission.endpoint == endpoints.SAM_ENDPOINTS[RequestKind.TEXT]:
            details["predicted_spans"] = predicted_spans(data) or None  # only text predicts
        return ProviderResult(
            files=files,
            sample_rate=rate,
            endpoint=submission.endpoint,
            provider_request_id=submission.request_id,
            cost_usd=submission.details.get("cost_usd"),
            details={k: v for k, v in details.items() if v is not None},
        )

    def _download(
        self, session: HttpSession, file: Any, role: str, work_dir: Path, on_event: EventFn
    ) -> Path:
        if not isinstance(file, dict) or not file.get("url"):
            raise ProtocolError(f"{self.title}: the result's {role} has no URL")
        url = str(file["url"])
        suffix = Path(urlsplit(url).path).suffix or Path(str(file.get("file_name", ""))).suffix
        if not suffix and file.get("content_type"):
            suffix = mimetypes.guess_extension(str(file["content_type"])) or ""
        on_event(JobEvent("running", f"downloading the {role}"))
        return download(
            session, url, work_dir / f"{role}{suffix or '.wav'}", what=f"downloading the {role}"
        )
