"""AudioLasso: file upload (/v1/files + a presigned PUT), the separate queue, SSE status."""

from __future__ import annotations

import ipaddress
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import audio
from .httpkit import Answered

if TYPE_CHECKING:
    from .httpkit import Exchange
    from .server import FakeCloud, Hit, Job

PURPOSE = "audio.separate.input"


def _error(
    ex: Exchange,
    status: int,
    code: str,
    message: str,
    param: str | None = None,
    request_id: str | None = None,
) -> None:
    ex.json(
        status,
        {"error": {"code": code, "message": message, "param": param, "request_id": request_id}},
    )


def _err(status: int) -> dict[str, Any]:
    return {
        "error": {
            "code": "scripted",
            "message": f"scripted failure {status}",
            "param": None,
            "request_id": None,
        }
    }


def handle(cloud: FakeCloud, ex: Exchange, hit: Hit) -> None:
    if ex.path.startswith("/audiolasso-upload/"):
        _put(cloud, ex)
    if not ex.path.startswith("/audiolasso/v1/"):
        _error(ex, 404, "not_found", "no such endpoint")
    if ex.headers.get("authorization") != f"Bearer {cloud.audiolasso_key}":
        _error(ex, 401, "invalid_api_key", "Missing or invalid API key")
    path = ex.path.removeprefix("/audiolasso/v1/")
    if path == "files" and ex.method == "POST":
        _files(cloud, ex)
    if path == "queue/audio/separate" and ex.method == "POST":
        _submit(cloud, ex, hit)
    seg = path.split("/")
    if seg[:2] == ["queue", "requests"] and len(seg) >= 4:
        job = cloud.jobs.get(seg[2])
        if job is None or job.provider != "audiolasso":
            _error(ex, 404, "request_not_found", "no such request", request_id=seg[2])
        tail = seg[3:]
        if tail == ["status"]:
            cloud.scripted(ex, "al.status", _err)
            ex.json(200, _status(seg[2], job.advance(), ex))
        if tail == ["status", "stream"]:
            cloud.scripted(ex, "al.stream", _err)
            _stream(cloud, ex, seg[2], job)
        if tail == ["result"]:
            cloud.scripted(ex, "al.result", _err)
            _result(cloud, ex, seg[2], job)
    _error(ex, 404, "not_found", "no such endpoint")


def _files(cloud: FakeCloud, ex: Exchange) -> None:
    cloud.scripted(ex, "al.files", _err)
    body = ex.json_body()
    want = {"file_name": str, "content_type": str, "file_size": int, "purpose": str}
    if not isinstance(body, dict) or set(body) != set(want):
        _error(ex, 400, "invalid_request", f"expected exactly {', '.join(want)}")
    for name, kind in want.items():
        if not isinstance(body[name], kind) or isinstance(body[name], bool):
            _error(ex, 400, "invalid_request", f"{name} has the wrong type", name)
    if body["purpose"] != PURPOSE:
        _error(ex, 400, "invalid_purpose", f"purpose must be {PURPOSE}", "purpose")
    if body["file_size"] <= 0 or body["file_size"] > 500 * 1024 * 1024:
        _error(ex, 413, "file_too_large", "files may be up to 500 MiB", "file_size")
    fid = cloud.new_id("file_")
    token = f"tok-{fid}"
    cloud.uploads[fid] = {**body, "token": token, "done": False}
    expires = (datetime.now(UTC) + timedelta(minutes=15)).isoformat()
    ex.json(
        200,
        {
            "file_id": fid,
            "upload_url": f"{cloud.url}/audiolasso-upload/{fid}?sig=s{fid}",
            "upload_method": "PUT",
            "expires_at": expires,
            "headers": {"Content-Type": body["content_type"], "x-upload-token": token},
        },
    )


def _put(cloud: FakeCloud, ex: Exchange) -> None:
    fid = ex.path.split("/")[2]
    upload = cloud.uploads.get(fid)
    if ex.method != "PUT" or upload is None or ex.query.get("sig") != f"s{fid}":
        ex.send(403, b"<Error>SignatureDoesNotMatch</Error>", "application/xml")
    cloud.scripted(ex, "al.put", _err)
    if "authorization" in ex.headers:
        ex.send(400, b"<Error>Only one auth mechanism allowed</Error>", "application/xml")
    if (
        ex.headers.get("content-type") != upload["content_type"]
        or ex.headers.get("x-upload-token") != upload["token"]
    ):
        ex.send(403, b"<Error>headers differ from the signed ones</Error>", "application/xml")
    data = ex.body(require_length=True)
    if len(data) != upload["file_size"]:
        ex.send(400, b"<Error>size differs from file_size</Error>", "application/xml")
    path = cloud.folder / fid
    path.write_bytes(data)
    from .server import StoredFile

    cloud.files[fid] = StoredFile(path, upload["content_type"], upload["file_name"])
    upload["done"] = True
    ex.send(200, b"", "text/plain", {"ETag": '"ok"'})


def _public(url: str) -> bool:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "https" or host == "localhost":
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return True
    return not (ip.is_private or ip.is_loopback)


def _submit(cloud: FakeCloud, ex: Exchange, hit: Hit) -> None:
    cloud.scripted(ex, "al.submit", _err)
    body = ex.json_body()
    hit.json = body
    if not isinstance(body, dict) or set(body) - {"input", "webhookUrl"} or "input" not in body:
        _error(ex, 400, "invalid_request", "body must be {input, webhookUrl?}")
    data = body["input"]
    if not isinstance(data, dict) or set(data) - {"audio_url", "file_id", "prompt", "spans"}:
        _error(ex, 400, "invalid_request", "unknown input fields", "input")
    if ("audio_url" in data) == ("file_id" in data):
        _error(ex, 400, "invalid_request", "give exactly one of audio_url or file_id", "input")
    if not isinstance(data.get("prompt"), str) or not data["prompt"].strip():
        _error(ex, 400, "invalid_request", "prompt is required", "input.prompt")
    for span in data.get("spans") or []:
        if not isinstance(span, dict) or set(span) - {"start", "end", "include"}:
            _error(ex, 400, "invalid_request", "spans are {start, end, include}", "input.spans")
    if "audio_url" in data:
        if not _public(str(data["audio_url"])):
            _error(
                ex,
                400,
                "invalid_audio_url",
                "audio_url must be a public https URL",
                "input.audio_url",
            )
        _error(ex, 400, "unreachable_audio_url", "the fake cannot fetch URLs", "input.audio_url")
    upload = cloud.uploads.get(str(data["file_id"]))
    if upload is None:
        _error(ex, 404, "file_not_found", "no such file", "input.file_id")
    if not upload["done"]:
        _error(ex, 409, "file_not_uploaded", "the file was never uploaded", "input.file_id")
    samples, rate = audio.decode(cloud.files[str(data["file_id"])].path.read_bytes())
    if len(samples) / rate > cloud.faults.audiolasso_max_s:
        _error(
            ex,
            413,
            "audio_too_long",
            f"audio longer than {cloud.faults.audiolasso_max_s:g} s",
            "input.file_id",
        )
    from .server import Job

    rid = cloud.new_id("req_")
    cloud.jobs[rid] = Job("audiolasso", "audio/separate", data, _steps(cloud))
    base = f"{cloud.url}/audiolasso/v1/queue/requests/{rid}"
    ex.json(
        202,
        {
            "request_id": rid,
            "status": "IN_QUEUE",
            "model": "audio/separate",
            "created_at": datetime.now(UTC).isoformat(),
            "status_url": f"{base}/status",
            "stream_url": f"{base}/status/stream",
            "result_url": f"{base}/result",
        },
    )


def _steps(cloud: FakeCloud) -> list[dict[str, Any]]:
    f = cloud.faults
    now = datetime.now(UTC).isoformat()
    logs = [{"timestamp": now, "message": m} for m in f.log_lines]
    steps: list[dict[str, Any]] = [{"status": "IN_QUEUE", "logs": []} for _ in f.queue_positions]
    steps += [{"status": "IN_PROGRESS", "logs": logs[: i + 1]} for i in range(len(logs))]
    if f.job_fails:
        steps.append(
            {
                "status": "FAILED",
                "logs": logs,
                "error": {"code": "separation_failed", "message": f.job_fails},
            }
        )
    else:
        steps.append({"status": "COMPLETED", "logs": logs})
    return steps


def _status(rid: str, step: dict[str, Any], ex: Exchange) -> dict[str, Any]:
    out = {"request_id": rid, **step}
    if ex.query.get("logs") != "true":
        out["logs"] = []
    return out


def _stream(cloud: FakeCloud, ex: Exchange, rid: str, job: Job) -> None:
    ex.start_events()
    close_early = cloud.faults.take_flag("sse_close_early")
    while True:
        step = job.advance()
        ex.event(_status(rid, step, ex), "status")
        if step["status"] in ("COMPLETED", "FAILED") or close_early:
            break
        time.sleep(cloud.faults.step_s)
    raise Answered()


def _result(cloud: FakeCloud, ex: Exchange, rid: str, job: Job) -> None:
    state = job.current()["status"]
    if state == "FAILED":
        _error(ex, 409, "job_failed", job.current()["error"]["message"], request_id=rid)
    if state != "COMPLETED":
        _error(ex, 409, "not_ready", "the job has not finished", request_id=rid)
    if cloud.faults.result_expired:
        _error(ex, 410, "result_expired", "results are kept for 24 hours", request_id=rid)
    if job.outputs is None:
        stored = cloud.files[str(job.body["file_id"])]
        samples, rate = audio.decode(stored.path.read_bytes())
        target, residual, rate = audio.split(samples, rate, to_48k=False)
        for span in job.body.get("spans") or []:
            if not span.get("include", True):
                a, b = int(span["start"] * rate), int(span["end"] * rate)
                residual[a:b] += target[a:b]
                target[a:b] = 0
        files = {}
        for role, signal in (("target", target), ("residual", residual)):
            data, ctype, ext = audio.encode(signal, rate, "wav")
            _, url = cloud.store(data, ctype, f"{role}{ext}")
            files[role] = {
                "url": url,
                "content_type": ctype,
                "file_name": f"{role}{ext}",
                "file_size": len(data),
            }
        job.outputs = {
            "request_id": rid,
            "status": "COMPLETED",
            "data": {**files, "sample_rate": rate},
        }
    ex.json(200, job.outputs)
