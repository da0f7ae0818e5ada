"""fal's storage: upload tokens (rest.fal.ai) and the CDN's single and multipart uploads."""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .httpkit import Exchange
    from .server import FakeCloud

ErrorBody = Callable[[int], dict[str, Any]]


def token(cloud: FakeCloud, ex: Exchange, path: str, err: ErrorBody) -> None:
    if path != "storage/auth/token" or ex.method != "POST":
        ex.json(404, {"detail": "Not found"})
    cloud.scripted(ex, "fal.token", err)
    if ex.query.get("storage_type") != "fal-cdn-v3":
        ex.json(400, {"detail": "storage_type must be fal-cdn-v3"})
    if ex.json_body() != {}:
        ex.json(422, {"detail": "expected an empty JSON object"})
    expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    ex.json(
        200,
        {
            "token": cloud.fal_token,
            "token_type": "Bearer",
            "base_url": f"{cloud.url}/fal/cdn",
            "expires_at": expires,
        },
    )


def cdn(cloud: FakeCloud, ex: Exchange, seg: list[str], err: ErrorBody) -> None:
    if ex.method == "GET" and len(seg) == 3 and seg[0] == "files":
        ex.path = f"/cdn/files/{seg[1]}/{seg[2]}"
        cloud._download(cloud, ex, None)  # type: ignore[arg-type]
    if ex.headers.get("authorization") != f"Bearer {cloud.fal_token}":
        ex.json(401, {"detail": "invalid or missing upload token"})
    if seg == ["files", "upload"] and ex.method == "POST":
        cloud.scripted(ex, "fal.upload", err)
        name, ctype = _upload_headers(ex)
        body = ex.body(require_length=True)
        time.sleep(cloud.faults.upload_delay_s)
        _, url = cloud.store(body, ctype, name)
        ex.json(200, {"access_url": url.replace("/cdn/", "/fal/cdn/")})
    if seg == ["files", "upload", "multipart"] and ex.method == "POST":
        cloud.scripted(ex, "fal.multipart", err)
        name, ctype = _upload_headers(ex)
        ex.body()
        fid, upload_id = cloud.new_id("f"), cloud.new_id("up")
        cloud.uploads[upload_id] = {"fid": fid, "name": name, "type": ctype, "parts": {}}
        ex.json(
            200, {"access_url": f"{cloud.url}/fal/cdn/files/{fid}/{name}", "uploadId": upload_id}
        )
    if len(seg) >= 6 and seg[0] == "files" and seg[3] == "multipart":
        upload = cloud.uploads.get(seg[4])
        if upload is None or upload["fid"] != seg[1]:
            ex.json(404, {"detail": "no such multipart upload"})
        if seg[5] == "complete" and ex.method == "POST":
            _complete(cloud, ex, upload, err)
        if ex.method == "PUT" and seg[5].isdigit():
            cloud.scripted(ex, "fal.part", err)
            data = ex.body(require_length=True)
            path = cloud.folder / f"{seg[4]}.part{int(seg[5])}"
            path.write_bytes(data)
            etag = f'"{hashlib.md5(data).hexdigest()}"'
            upload["parts"][int(seg[5])] = (path, etag)
            ex.send(200, b"", "text/plain", {"ETag": etag})
    ex.json(404, {"detail": "Not found"})


def _upload_headers(ex: Exchange) -> tuple[str, str]:
    name, ctype = ex.headers.get("x-fal-file-name"), ex.headers.get("content-type")
    if not name or not ctype:
        ex.json(400, {"detail": "Content-Type and X-Fal-File-Name are required"})
    return str(name), str(ctype)


def _complete(cloud: FakeCloud, ex: Exchange, upload: dict[str, Any], err: ErrorBody) -> None:
    cloud.scripted(ex, "fal.complete", err)
    listed = (ex.json_body() or {}).get("parts")
    have = upload["parts"]
    expected = [{"partNumber": n, "etag": have[n][1]} for n in sorted(have)]
    if listed != expected or sorted(have) != list(range(1, len(have) + 1)):
        ex.json(400, {"detail": "parts list does not match the uploaded parts"})
    path = cloud.folder / upload["fid"]
    with open(path, "wb") as out:  # joined on disk: the fake stays small for big uploads too
        for n in sorted(have):
            with open(have[n][0], "rb") as part:
                shutil.copyfileobj(part, out)
    from .server import StoredFile

    cloud.files[upload["fid"]] = StoredFile(path, upload["type"], upload["name"])
    ex.json(200, {"access_url": f"{cloud.url}/fal/cdn/files/{upload['fid']}/{upload['name']}"})
