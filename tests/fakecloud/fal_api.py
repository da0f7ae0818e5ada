"""fal's queue: submit (with schema checks), status, the status stream, result, cancel."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from . import audio, fal_storage_api, sam3_api
from .schema import check

if TYPE_CHECKING:
    from .httpkit import Exchange
    from .server import FakeCloud, Hit, Job

NUMBER, INT, STR, BOOL, SPANS = "number", "int", "str", "bool", "spans"
SAM_COMMON = {
    "reranking_candidates": (INT, 1, 4),
    "acceleration": ("fast", "balanced", "quality"),
    "max_chunk_duration": (NUMBER, 1, 3600),
    "chunk_overlap": (NUMBER, 0, 600),
    "output_format": ("wav", "mp3"),
}
INPAINT = {
    "required": {
        "audio_url": STR,
        "prompt": STR,
        "mask_start_seconds": NUMBER,
        "mask_end_seconds": NUMBER,
    },
    "optional": {
        "negative_prompt": STR,
        "num_inference_steps": (INT, 1, 100),
        "guidance_scale": (NUMBER, 0, 25),
        "seed": INT,
        "enable_prompt_expansion": BOOL,
        "enable_safety_checker": BOOL,
        "sync_mode": BOOL,
        "bitrate": STR,
        "output_format": ("mp3", "wav", "flac", "ogg", "opus", "m4a", "aac"),
    },
}
SCHEMAS: dict[str, dict[str, dict[str, Any]]] = {
    "fal-ai/sam-audio/separate": {
        "required": {"audio_url": STR, "prompt": STR},
        "optional": {"predict_spans": BOOL, **SAM_COMMON},
    },
    "fal-ai/sam-audio/span-separate": {
        "required": {"audio_url": STR, "spans": SPANS},
        "optional": {
            "prompt": STR,
            "trim_to_span": BOOL,
            "use_sound_activity_ranking": BOOL,
            **SAM_COMMON,
        },
    },
    "fal-ai/sam-audio/visual-separate": {
        "required": {"video_url": STR},
        "optional": {"mask_video_url": STR, "prompt": STR, **SAM_COMMON},
    },
    **{
        f"fal-ai/stable-audio-3/{v}/audio-inpainting": INPAINT
        for v in (
            "small/sfx",
            "small/sfx/base",
            "small/music",
            "small/music/base",
            "medium",
            "medium/base",
        )
    },
    sam3_api.ENDPOINT: sam3_api.SCHEMA,
}


def _err(status: int) -> dict[str, Any]:
    if status == 422:
        return {
            "detail": [
                {
                    "loc": ["body", "prompt"],
                    "msg": "scripted: prompt too long",
                    "type": "value_error",
                }
            ]
        }
    return {"detail": f"scripted failure {status}", "error_type": "scripted"}


def handle(cloud: FakeCloud, ex: Exchange, hit: Hit) -> None:
    rest = ex.path.removeprefix("/fal/")
    if rest.startswith("cdn/"):
        fal_storage_api.cdn(cloud, ex, rest.removeprefix("cdn/").split("/"), _err)
    given = ex.headers.get("authorization", "")
    if given != f"Key {cloud.fal_key}":
        # Echoes what it got, as careless servers do: clients must scrub error text.
        ex.json(401, {"detail": f"No user found for Key ID and Secret ({given})"})
    if rest.startswith("rest/"):
        fal_storage_api.token(cloud, ex, rest.removeprefix("rest/"), _err)
    if rest.startswith("queue/"):
        segments = rest.removeprefix("queue/").split("/")
        if "requests" in segments:
            _request(cloud, ex, segments)
        _submit(cloud, ex, "/".join(segments), hit)
    ex.json(404, {"detail": "Not found"})


# -- the queue -------------------------------------------------------------------------------
def _steps(cloud: FakeCloud) -> list[dict[str, Any]]:
    f = cloud.faults
    now = datetime.now(UTC).isoformat()
    logs = [{"message": m, "level": "INFO", "timestamp": now} for m in f.log_lines]
    steps: list[dict[str, Any]] = [
        {"status": "IN_QUEUE", "queue_position": p, "logs": None} for p in f.queue_positions
    ]
    steps += [{"status": "IN_PROGRESS", "logs": logs[: i + 1]} for i in range(len(logs))]
    steps.append({"status": "COMPLETED", "logs": logs, "metrics": {"inference_time": 0.05}})
    return steps


def _submit(cloud: FakeCloud, ex: Exchange, endpoint: str, hit: Hit) -> None:
    if ex.method != "POST" or endpoint not in SCHEMAS:
        ex.json(404, {"detail": f"Application {endpoint!r} not found"})
    cloud.scripted(ex, "fal.submit", _err)
    body = ex.json_body()
    hit.json = body
    sam3 = endpoint == sam3_api.ENDPOINT
    problems = sam3_api.check(body) if sam3 else check(body, SCHEMAS[endpoint])
    if problems and cloud.faults.validate_at_submit:
        ex.json(422, {"detail": problems})
    from .server import Job

    rid = cloud.new_id("req-")
    job = Job("fal", endpoint, body if isinstance(body, dict) else {}, _steps(cloud))
    if problems:
        job.error = (422, {"detail": problems})
    cloud.jobs[rid] = job
    app = "/".join(endpoint.split("/")[:2])
    base = f"{cloud.url}/fal/queue/{app}/requests/{rid}"
    ex.json(
        200,
        {
            "request_id": rid,
            "response_url": base,
            "status_url": f"{base}/status",
            "cancel_url": f"{base}/cancel",
            "queue_position": 0,
        },
    )


def _request(cloud: FakeCloud, ex: Exchange, seg: list[str]) -> None:
    i = seg.index("requests")
    app, rid, tail = "/".join(seg[:i]), seg[i + 1] if len(seg) > i + 1 else "", seg[i + 2 :]
    job = cloud.jobs.get(rid)
    if job is None or "/".join(job.endpoint.split("/")[:2]) != app:
        ex.json(404, {"status": "NOT_FOUND", "detail": "Request not found"})
    if tail == ["status"] and ex.method == "GET":
        cloud.scripted(ex, "fal.status", _err)
        step = job.advance()
        ex.json(200 if step["status"] == "COMPLETED" else 202, _status(ex, step))
    if tail == ["status", "stream"] and ex.method == "GET":
        cloud.scripted(ex, "fal.stream", _err)
        _stream(cloud, ex, job)
    if tail == ["cancel"] and ex.method == "PUT":
        cloud.scripted(ex, "fal.cancel", _err)
        if job.current()["status"] == "COMPLETED":
            ex.json(400, {"status": "ALREADY_COMPLETED"})
        job.cancelled = True
        job.steps, job.index = [{"status": "COMPLETED", "logs": None}], 0
        job.error = (400, {"detail": "Request was cancelled"})
        ex.json(202, {"status": "CANCELLATION_REQUESTED"})
    if tail == [] and ex.method == "GET":
        cloud.scripted(ex, "fal.result", _err)
        _result(cloud, ex, job)
    ex.json(404, {"detail": "Not found"})


def _status(ex: Exchange, step: dict[str, Any]) -> dict[str, Any]:
    out = dict(step)
    if ex.query.get("logs") not in ("1", "true"):
        out["logs"] = None
    return out


def _stream(cloud: FakeCloud, ex: Exchange, job: Job) -> None:
    ex.start_events()
    close_early = cloud.faults.take_flag("sse_close_early")
    while True:
        step = job.advance()
        ex.event(_status(ex, step))
        if step["status"] == "COMPLETED" or close_early:
            break
        time.sleep(cloud.faults.step_s)
    from .httpkit import Answered

    raise Answered()


def _result(cloud: FakeCloud, ex: Exchange, job: Job) -> None:
    if job.current()["status"] != "COMPLETED":
        ex.json(400, {"detail": "Request is still in progress"})
    if cloud.faults.result_expired:
        ex.json(404, {"detail": "Request not found"})
    if job.error is None and cloud.faults.job_fails:
        job.error = (500, {"detail": cloud.faults.job_fails, "error_type": "model_error"})
    if job.error is None and job.outputs is None:
        try:
            job.outputs = _run_model(cloud, job)
        except _InputError as exc:
            job.error = (
                422,
                {
                    "detail": [
                        {"loc": ["body", exc.field], "msg": str(exc), "type": "file_download_error"}
                    ]
                },
            )
    if job.error is not None:
        ex.json(*job.error)
    ex.json(200, job.outputs)


class _InputError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _fetch(cloud: FakeCloud, body: dict[str, Any], field: str) -> tuple[np.ndarray, int]:
    data = cloud.resolve(str(body.get(field, "")))
    if data is None:
        raise _InputError(field, "Could not download the file from the given URL")
    try:
        return audio.decode(data)
    except Exception as exc:
        raise _InputError(field, f"Unreadable media ({type(exc).__name__})") from None


def _file(cloud: FakeCloud, samples: np.ndarray, rate: int, fmt: str, stem: str) -> dict[str, Any]:
    data, ctype, ext = audio.encode(samples, rate, fmt)
    _, url = cloud.store(data, ctype, f"{stem}{ext}")
    return {"url": url, "content_type": ctype, "file_name": f"{stem}{ext}", "file_size": len(data)}


def _run_model(cloud: FakeCloud, job: Job) -> dict[str, Any]:
    body = job.body
    if job.endpoint == sam3_api.ENDPOINT:
        return sam3_api.run_model(cloud, job)
    if "inpainting" in job.endpoint:
        samples, rate = _fetch(cloud, body, "audio_url")
        seed = int(body.get("seed", 42))
        out = audio.inpaint(
            samples, rate, body["mask_start_seconds"], body["mask_end_seconds"], seed
        )
        fmt = body.get("output_format", "mp3")
        return {
            "audio": _file(cloud, out, rate, fmt, "inpainted"),
            "seed": seed,
            "prompt": body["prompt"],
        }
    field = "video_url" if "visual" in job.endpoint else "audio_url"
    samples, rate = _fetch(cloud, body, field)
    if body.get("mask_video_url") and cloud.resolve(body["mask_video_url"]) is None:
        raise _InputError("mask_video_url", "Could not download the file from the given URL")
    target, residual, rate = audio.split(samples, rate)
    spans = body.get("spans") or []
    for span in spans:
        if not span.get("include", True):
            a, b = int(span["start"] * rate), int(span["end"] * rate)
            residual[a:b] += target[a:b]
            target[a:b] = 0
    if body.get("trim_to_span") and spans:
        a = int(min(s["start"] for s in spans) * rate)
        b = int(max(s["end"] for s in spans) * rate)
        target, residual = target[a:b], residual[a:b]
    fmt = body.get("output_format", "wav")
    return {
        "target": _file(cloud, target, rate, fmt, "target"),
        "residual": _file(cloud, residual, rate, fmt, "residual"),
        "duration": len(target) / rate,
        "sample_rate": rate,
    }
