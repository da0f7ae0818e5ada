"""A job handed to a queue engine: everything needed to find it again, even after a restart.

It holds URLs and ids only, never a key: the job store writes it to disk as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

FORMAT = "isolde-submission"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Submission:
    provider: str
    endpoint: str
    request_id: str
    status_url: str
    result_url: str
    cancel_url: str | None = None
    stream_url: str | None = None
    submitted_at: str = field(default_factory=now_iso)
    # What fetch needs besides the URLs: the request kind, the roles to expect, the cost estimate.
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": 1,
            "provider": self.provider,
            "endpoint": self.endpoint,
            "request_id": self.request_id,
            "status_url": self.status_url,
            "result_url": self.result_url,
            "cancel_url": self.cancel_url,
            "stream_url": self.stream_url,
            "submitted_at": self.submitted_at,
            "details": dict(self.details),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Submission:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a saved submission (format {data.get('format')!r})")
        if int(data.get("version", 0)) > 1:
            raise ValueError(
                f"this submission was saved by a newer Isolde (version {data['version']})"
            )
        return cls(
            provider=str(data["provider"]),
            endpoint=str(data["endpoint"]),
            request_id=str(data["request_id"]),
            status_url=str(data["status_url"]),
            result_url=str(data["result_url"]),
            cancel_url=data.get("cancel_url"),
            stream_url=data.get("stream_url"),
            submitted_at=str(data.get("submitted_at") or now_iso()),
            details=dict(data.get("details") or {}),
        )
