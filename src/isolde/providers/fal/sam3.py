"""The cloud mask assist's client: SAM 3 video segmentation (fal-ai/sam-3/video-rle) on fal's queue.

It rides on the fal provider's plumbing (FalProvider): the key from the environment or keyring
(MissingKeyError before any network), one HttpSession per step (retries with backoff, the key
only to fal's own hosts, prompt cancel), fal storage uploads, the status stream with polling as
fallback, fal's error mapping, and the rule that a submit that may have reached fal is never
sent again (SubmissionUnknownError). Endpoint, schema and price: sam3_schema.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from isolde.core.errors import Cancelled, MissingKeyError
from isolde.core.progress import CancelToken
from isolde.providers.base import EventFn, JobEvent, Submission, ignore_events
from isolde.providers.errors import JobFailedError, ProtocolError, SubmissionUnknownError
from isolde.providers.fal.provider import QUEUE_ENV, FalProvider
from isolde.providers.fal.sam3_schema import (
    ENDPOINT,
    AssistPrompt,
    build_input,
    read_output,
    rle_list,
)
from isolde.providers.media_prep import prepare_video
from isolde.providers.net import keys
from isolde.providers.net.replies import json_object
from isolde.providers.net.transfer import download
from isolde.providers.net.urls import join, own_url

log = logging.getLogger(__name__)
KIND = "sam3-assist"


@dataclass(frozen=True)
class AssistResult:
    """The masks SAM 3 sent back: per-frame RLE text, or a mask video on disk."""

    width: int  # the size the masks are drawn at
    height: int
    rle: tuple[str, ...] | None
    mask_video: Path | None
    request_id: str
    cost_usd: float | None


class Sam3Assist:
    """submit → watch → fetch (and cancel_job), or `run` for all of it."""

    def __init__(self, provider: FalProvider | None = None) -> None:
        self.fal = provider or FalProvider()
        self.title = self.fal.title

    def require_key(self) -> None:
        if not self.fal.key_configured():
            raise MissingKeyError(keys.missing_key_message(self.fal.key_env, self.title))

    # -- submit ------------------------------------------------------------------------------
    def submit(
        self,
        video: Path,
        prompt: AssistPrompt,
        size: tuple[int, int],
        *,
        cost_usd: float | None = None,
        on_event: EventFn = ignore_events,
        cancel: CancelToken | None = None,
    ) -> Submission:
        """Upload `video` (its stored picture upright, `size` = width, height) and queue the job."""
        self.require_key()
        upload = prepare_video(video)
        storage = self.fal.storage()
        with self.fal.open_session(cancel) as session:
            on_event(JobEvent("running", f"uploading the video ({upload.size / 1e6:.1f} MB)", 0.0))

            def sent(done: int, total: int) -> None:
                on_event(JobEvent("running", "uploading the video", done / max(total, 1)))

            url = storage.upload(session, upload, sent)
            body = build_input(prompt, url)
            on_event(JobEvent("running", f"submitting to {ENDPOINT}"))
            on_event(JobEvent("sending", ENDPOINT))  # from here a crash leaves the job unknown
            queue = self.fal.base(QUEUE_ENV)
            response = session.request(
                "POST",
                join(queue, ENDPOINT),
                what="submitting the job",
                json=body,
                idempotent=False,
            )
            try:
                data = json_object(response, self.title, "the submit", "request_id")
            except ProtocolError as exc:
                raise SubmissionUnknownError(
                    f"{exc} — the job may exist and be billed; check fal's dashboard before "
                    "trying again"
                ) from None
        request_id = str(data["request_id"])
        base = join(queue, f"{'/'.join(ENDPOINT.split('/')[:2])}/requests/{request_id}")
        status_url = own_url(data.get("status_url"), f"{base}/status", queue)
        return Submission(
            provider=self.fal.name,
            endpoint=ENDPOINT,
            request_id=request_id,
            status_url=status_url,
            result_url=own_url(data.get("response_url"), base, queue),
            cancel_url=own_url(data.get("cancel_url"), f"{base}/cancel", queue),
            stream_url=urlsplit(status_url)._replace(query="").geturl() + "/stream",
            details={"kind": KIND, "width": size[0], "height": size[1], "cost_usd": cost_usd},
        )

    # -- status and cancel -------------------------------------------------------------------
    def watch(
        self, submission: Submission, *, cancel: CancelToken | None = None
    ) -> Iterator[JobEvent]:
        return self.fal.watch(submission, cancel=cancel)

    def cancel_job(self, submission: Submission) -> str:
        return self.fal.cancel_job(submission)

    # -- fetch -------------------------------------------------------------------------------
    def fetch(
        self,
        submission: Submission,
        work_dir: Path,
        *,
        on_event: EventFn = ignore_events,
        cancel: CancelToken | None = None,
    ) -> AssistResult:
        """The result, at once (fal keeps results briefly): masks inline, or downloaded."""
        work_dir = Path(work_dir)
        work_dir.mkdir(parents=True, exist_ok=True)
        details = submission.details
        with self.fal.open_session(cancel) as session:
            response = session.request("GET", submission.result_url, what="fetching the result")
            try:
                data = response.json()
            except ValueError:
                raise ProtocolError(f"{self.title}: the SAM 3 result is not valid JSON") from None
            output = read_output(data)
            rle, video = output.rle, None
            if output.rle_url:
                on_event(JobEvent("running", "downloading the masks"))
                path = download(
                    session,
                    output.rle_url,
                    work_dir / "sam3_masks.json",
                    what="downloading the masks",
                )
                try:
                    rle = rle_list(json.loads(path.read_text("utf-8")), "the mask file")
                except (ValueError, UnicodeDecodeError):
                    raise ProtocolError(f"{self.title}: the mask file is not valid JSON") from None
            elif output.video_url:
                on_event(JobEvent("running", "downloading the mask video"))
                suffix = Path(urlsplit(output.video_url).path).suffix or ".mp4"
                video = download(
                    session,
                    output.video_url,
                    work_dir / f"sam3_masks{suffix}",
                    what="downloading the mask video",
                )
        return AssistResult(
            width=output.width or int(details.get("width") or 0),
            height=output.height or int(details.get("height") or 0),
            rle=rle,
            mask_video=video,
            request_id=submission.request_id,
            cost_usd=details.get("cost_usd"),
        )

    # -- all of it ---------------------------------------------------------------------------
    def run(
        self,
        video: Path,
        prompt: AssistPrompt,
        size: tuple[int, int],
        work_dir: Path,
        *,
        cost_usd: float | None = None,
        on_event: EventFn = ignore_events,
        cancel: CancelToken | None = None,
    ) -> AssistResult:
        try:
            submission = self.submit(
                video, prompt, size, cost_usd=cost_usd, on_event=on_event, cancel=cancel
            )
        except SubmissionUnknownError as exc:
            on_event(JobEvent("unknown", str(exc)))
            raise
        on_event(JobEvent("submitted", f"fal job {submission.request_id}", submission=submission))
        try:
            for event in self.watch(submission, cancel=cancel):
                if event.state == "failed":
                    raise JobFailedError(
                        f"{self.title}: the SAM 3 job {submission.request_id} failed: "
                        f"{event.message}",
                        reason=event.message,
                    )
                if event.state != "done":
                    on_event(event)
        except Cancelled:
            self._cancel_quietly(submission)
            raise
        result = self.fetch(submission, work_dir, on_event=on_event, cancel=cancel)
        on_event(JobEvent("done", "masks received", 1.0))
        return result

    def _cancel_quietly(self, submission: Submission) -> None:
        try:
            answer = self.cancel_job(submission)
            log.info("fal: cancel of SAM 3 job %s: %s", submission.request_id, answer)
        except Exception as exc:  # the user cancelled; report and move on
            log.warning(
                "fal: could not cancel SAM 3 job %s remotely (%s); it may still run",
                submission.request_id,
                exc,
            )
