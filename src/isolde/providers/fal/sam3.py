"""The cloud mask assist's client: SAM 3 video segmentation (fal-ai/sam-3/video-rle) on fal's queue.

It rides on the fal provider's plumbing (FalProvider): the key from the environment or keyring
(MissingKeyError before any network), one HttpSession per step (retries with backoff, the key
only to fal's own hosts, prompt cancel), fal storage uploads, the status stream with polling as
fallback, fal's error mapping, and the rule that a submit that may have reached fal is never
sent again (SubmissionUnknownError). Endpoint, schema and price: sam3_schema.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from isolde.core.errors import MissingKeyError
from isolde.core.progress import CancelToken
from isolde.providers.base import EventFn, JobEvent, Submission, ignore_events
from isolde.providers.errors import ProtocolError
from isolde.providers.fal.provider import FalProvider
from isolde.providers.fal.sam3_schema import (
    ENDPOINT,
    AssistPrompt,
    build_input,
    read_output,
    rle_list,
)
from isolde.providers.media_prep import prepare_video
from isolde.providers.net import keys
from isolde.providers.net.replies import json_body
from isolde.providers.net.transfer import download

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
            data, queue = self.fal.post_job(session, ENDPOINT, body, on_event)
        details = {"kind": KIND, "width": size[0], "height": size[1], "cost_usd": cost_usd}
        return self.fal.new_submission(ENDPOINT, data, queue, details)

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
            output = read_output(json_body(response, self.title, "the result"))
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
        submission = self.fal.report_submit(
            lambda: self.submit(
                video, prompt, size, cost_usd=cost_usd, on_event=on_event, cancel=cancel
            ),
            on_event,
            what="SAM 3 job",
        )
        self.fal.await_done(submission, on_event, cancel, what="SAM 3 job")
        result = self.fetch(submission, work_dir, on_event=on_event, cancel=cancel)
        on_event(JobEvent("done", "masks received", 1.0))
        return result
