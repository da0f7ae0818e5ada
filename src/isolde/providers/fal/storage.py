"""fal's file storage, as its official client uses it: a token, then one upload or a multipart one.

1. POST {rest}/storage/auth/token?storage_type=fal-cdn-v3 → {token, token_type, base_url,
   expires_at}; kept until shortly before it expires.
2. Up to `multipart_threshold` bytes: POST {base_url}/files/upload with the raw bytes.
3. Above it: POST {base_url}/files/upload/multipart → {access_url, uploadId}; PUT each part to
   {access_url}/multipart/{uploadId}/{n} and keep its ETag; POST …/complete with the list.

Bodies are read from disk as they are sent (file_body), so memory does not grow with the file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from isolde.core.redact import remember
from isolde.providers.errors import ProtocolError
from isolde.providers.media_prep import UploadFile
from isolde.providers.net.replies import json_object
from isolde.providers.net.session import HttpSession
from isolde.providers.net.transfer import file_body
from isolde.providers.net.urls import check_url, join

MIB = 1024 * 1024
MULTIPART_THRESHOLD = 100 * MIB
PART_SIZE = 10 * MIB
TOKEN_MARGIN = timedelta(minutes=2)
log = logging.getLogger(__name__)
ProgressFn = Callable[[int, int], None]  # bytes sent, bytes in all


@dataclass(frozen=True)
class StorageToken:
    token: str
    token_type: str
    base_url: str
    expires_at: datetime

    def header(self) -> str:
        return f"{self.token_type} {self.token}"


class FalStorage:
    def __init__(
        self,
        rest_url: str,
        *,
        multipart_threshold: int = MULTIPART_THRESHOLD,
        part_size: int = PART_SIZE,
    ) -> None:
        self.rest_url = rest_url
        self.multipart_threshold = multipart_threshold
        self.part_size = part_size
        self._token: StorageToken | None = None

    def token(self, session: HttpSession) -> StorageToken:
        if self._token is not None and datetime.now(UTC) < self._token.expires_at - TOKEN_MARGIN:
            return self._token
        response = session.request(
            "POST",
            join(self.rest_url, "storage/auth/token"),
            what="getting an upload token",
            params={"storage_type": "fal-cdn-v3"},
            json={},
        )
        data = json_object(
            response, session.title, "the upload token request", "token", "token_type", "base_url"
        )
        remember(str(data["token"]))  # short-lived, but a credential all the same
        try:
            expires = datetime.fromisoformat(str(data.get("expires_at", "")))
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=UTC)
        except ValueError:
            expires = datetime.now(UTC) + timedelta(minutes=10)
        base = check_url(str(data["base_url"]).rstrip("/"), "fal's upload address")
        self._token = StorageToken(str(data["token"]), str(data["token_type"]), base, expires)
        return self._token

    def upload(
        self, session: HttpSession, file: UploadFile, progress: ProgressFn | None = None
    ) -> str:
        """Upload `file`; returns the URL fal's models read it from."""
        token = self.token(session)
        headers = {
            "Authorization": token.header(),
            "Content-Type": file.content_type,
            # Header values are ASCII; fal names the stored file after this, nothing more.
            "X-Fal-File-Name": re.sub(r"[^A-Za-z0-9._-]", "_", file.name),
        }
        if file.size > self.multipart_threshold:
            return self._multipart(session, token, file, headers, progress)
        response = session.request(
            "POST",
            join(token.base_url, "files/upload"),
            what=f"uploading {file.name}",
            content=file_body(file.path),
            headers={**headers, "Content-Length": str(file.size)},
            auth=False,
        )
        if progress is not None:
            progress(file.size, file.size)
        return _access_url(response, session.title)

    def _multipart(
        self,
        session: HttpSession,
        token: StorageToken,
        file: UploadFile,
        headers: dict[str, str],
        progress: ProgressFn | None,
    ) -> str:
        response = session.request(
            "POST",
            join(token.base_url, "files/upload/multipart"),
            what=f"starting the upload of {file.name}",
            headers=headers,
            auth=False,
        )
        data = json_object(response, session.title, "the multipart start", "access_url", "uploadId")
        access_url = check_url(str(data["access_url"]), "fal's upload address")
        upload_id = str(data["uploadId"])
        parts = []
        count = -(-file.size // self.part_size)
        for number in range(1, count + 1):
            offset = (number - 1) * self.part_size
            length = min(self.part_size, file.size - offset)
            part = session.request(
                "PUT",
                join(access_url, f"multipart/{upload_id}/{number}"),
                what=f"uploading part {number} of {count} of {file.name}",
                content=file_body(file.path, offset, length),
                headers={"Authorization": token.header(), "Content-Length": str(length)},
                auth=False,
            )
            etag = part.headers.get("etag")
            if not etag:
                raise ProtocolError(
                    f"{session.title}: part {number} of {file.name} came back without an ETag"
                )
            parts.append({"partNumber": number, "etag": etag})
            if progress is not None:
                progress(offset + length, file.size)
        done = session.request(
            "POST",
            join(access_url, f"multipart/{upload_id}/complete"),
            what=f"finishing the upload of {file.name}",
            json={"parts": parts},
            headers={"Authorization": token.header()},
            auth=False,
        )
        try:
            return _access_url(done, session.title)
        except ProtocolError:
            return access_url  # the completion may answer without a body; the URL is known


def _access_url(response, title: str) -> str:  # type: ignore[no-untyped-def]
    data = json_object(response, title, "the upload", "access_url")
    return check_url(str(data["access_url"]), "the uploaded file's address")
