"""Takes: finished results kept on disk, with where they came from."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from isolde.core.errors import InputError
from isolde.core.frozen import EMPTY, check_jsonable, freeze_mapping, thaw
from isolde.core.paths import from_stored, to_stored

TAKE_KINDS = ("separate", "inpaint")


def utc_now_iso() -> str:
    """`created_at` / `saved_at` stamps: ISO 8601, UTC, whole seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Take:
    """One finished result, with provenance.

    `files` maps a role ("target", "residual", "inpainted") to a path. In a project they are
    absolute (a project file stores those inside the project folder relative to it); a take.json
    beside its files may hold bare names, which `resolved(folder)` turns absolute.
    `request` is what was sent (JSON-like), `timing` named durations in seconds. `checks` is
    what the result check found when the take was stored (`jobs.result_check`: measures,
    problems worded for the user, the engine's predicted spans); empty for takes made before.
    """

    id: str
    kind: str
    provider: str
    endpoint: str
    created_at: str
    files: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    request: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    timing: Mapping[str, float] = field(default_factory=lambda: EMPTY)
    label: str = ""
    provider_request_id: str | None = None
    cost_usd: float | None = None
    sample_rate: int = 0
    checks: Mapping[str, Any] = field(default_factory=lambda: EMPTY)

    def __post_init__(self) -> None:
        self._check()
        # Frozen copies: states holding this take live on in the undo history.
        object.__setattr__(self, "files", freeze_mapping(self.files))
        object.__setattr__(self, "request", freeze_mapping(self.request))
        object.__setattr__(self, "timing", freeze_mapping(self.timing))
        object.__setattr__(self, "checks", freeze_mapping(self.checks))

    def _check(self) -> None:
        for name in ("id", "provider", "endpoint", "label"):
            if not isinstance(getattr(self, name), str):
                raise InputError(f"take {name} must be text, got {getattr(self, name)!r}")
        if not self.id:
            raise InputError("take id must not be empty")
        if self.kind not in TAKE_KINDS:
            raise InputError(
                f"take {self.id}: kind must be one of {', '.join(TAKE_KINDS)}, got {self.kind!r}"
            )
        try:
            datetime.fromisoformat(self.created_at)
        except (TypeError, ValueError):
            raise InputError(
                f"take {self.id}: created_at must be an ISO 8601 time, got {self.created_at!r}"
            ) from None
        if not isinstance(self.files, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in self.files.items()
        ):
            raise InputError(f"take {self.id}: files must map roles to file paths")
        if not isinstance(self.timing, Mapping) or not all(
            isinstance(k, str) and _is_number(v) for k, v in self.timing.items()
        ):
            raise InputError(f"take {self.id}: timing must map names to seconds")
        if not isinstance(self.request, Mapping):
            raise InputError(f"take {self.id}: request must be a mapping")
        check_jsonable(self.request, f"take {self.id}: request")
        if not isinstance(self.checks, Mapping):
            raise InputError(f"take {self.id}: checks must be a mapping")
        check_jsonable(self.checks, f"take {self.id}: checks")
        if self.provider_request_id is not None and not isinstance(self.provider_request_id, str):
            raise InputError(f"take {self.id}: provider_request_id must be text")
        if self.cost_usd is not None and not (_is_number(self.cost_usd) and self.cost_usd >= 0):
            raise InputError(
                f"take {self.id}: cost_usd must be a number ≥ 0, got {self.cost_usd!r}"
            )
        if isinstance(self.sample_rate, bool) or not (
            isinstance(self.sample_rate, int) and self.sample_rate >= 0
        ):
            raise InputError(f"take {self.id}: sample_rate must be a whole number ≥ 0")

    def file(self, role: str) -> Path | None:
        path = self.files.get(role)
        return Path(path) if path else None

    @property
    def problems(self) -> list[str]:
        """What the result check found wrong, worded for the user (none if never checked)."""
        found = self.checks.get("problems", ())
        if not isinstance(found, tuple | list):
            return []
        return [str(p.get("message", "")) for p in found if isinstance(p, Mapping)]

    @property
    def predicted_spans(self) -> list[tuple[float, float]]:
        """Where the engine said it heard the sound (SAM Audio's predict_spans), if it said."""
        out: list[tuple[float, float]] = []
        found = self.checks.get("predicted_spans", ())
        for pair in found if isinstance(found, tuple | list) else ():
            try:
                start, end = float(pair[0]), float(pair[1])
            except (TypeError, ValueError, IndexError, KeyError):
                continue
            if end > start:
                out.append((start, end))
        return out

    @property
    def relative_files(self) -> list[str]:
        return [role for role, p in self.files.items() if not os.path.isabs(p)]

    def resolved(self, folder: str | os.PathLike[str]) -> Take:
        """This take with relative file paths made absolute against `folder`."""
        files = {role: from_stored(p, Path(folder)) for role, p in self.files.items()}
        return replace(self, files=files)

    def to_json(self, project_dir: Path | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "provider": self.provider,
            "endpoint": self.endpoint,
            "created_at": self.created_at,
            "files": {role: _store(p, project_dir) for role, p in self.files.items()},
            "request": thaw(self.request),
            "timing": dict(self.timing),
            "label": self.label,
            "provider_request_id": self.provider_request_id,
            "cost_usd": self.cost_usd,
            "sample_rate": self.sample_rate,
        }
        if self.checks:  # left out when empty: files of takes never checked stay as they were
            data["checks"] = thaw(self.checks)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any], project_dir: Path | None = None) -> Take:
        return cls(
            id=data["id"],
            kind=data["kind"],
            provider=data["provider"],
            endpoint=data["endpoint"],
            created_at=data["created_at"],
            files={
                role: p if project_dir is None else from_stored(p, project_dir)
                for role, p in data["files"].items()
            },
            request=data.get("request", {}),
            timing=data.get("timing", {}),
            label=data.get("label", ""),
            provider_request_id=data.get("provider_request_id"),
            cost_usd=data.get("cost_usd"),
            sample_rate=data.get("sample_rate", 0),
            checks=data.get("checks") or {},
        )


def _store(path: str, project_dir: Path | None) -> str:
    if not os.path.isabs(path):
        return Path(path).as_posix()  # relative to whatever folder its owner keeps it in
    return to_stored(path, project_dir, inside_only=True)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
