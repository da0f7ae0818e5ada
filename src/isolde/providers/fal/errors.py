"""fal's error answers as messages a user can act on.

422 bodies are `{"detail": [{"loc": ["body", "prompt"], "msg": …}]}` (detail may also be a
string); infrastructure errors carry `error_type` in the body or the X-Fal-Error-Type header.
"""

from __future__ import annotations

from typing import Any

from isolde.core.errors import ProviderError
from isolde.providers.errors import (
    AuthError,
    NoCreditsError,
    RateLimitedError,
    RemoteValidationError,
    ResultExpiredError,
    ServerUnavailableError,
)
from isolde.providers.net.replies import HttpFailure

TITLE = "fal"
RESULT_WHATS = ("fetching the result", "downloading")


def field_problems(detail: Any) -> dict[str, str]:
    """{field: message} from a 422 detail list (or {"input": text} for a plain string)."""
    if isinstance(detail, str):
        return {"input": detail}
    out: dict[str, str] = {}
    for item in detail if isinstance(detail, list) else []:
        if not isinstance(item, dict):
            continue
        loc = [str(p) for p in item.get("loc", []) if p != "body"]
        name = ".".join(loc) or "input"
        out[name] = str(item.get("msg", "invalid"))
    return out


def _detail_text(failure: HttpFailure) -> str:
    data = failure.data
    if isinstance(data, dict):
        detail = data.get("detail", data.get("error", data.get("message")))
        if isinstance(detail, str):
            return detail
        if detail is not None:
            return "; ".join(f"{k}: {v}" for k, v in field_problems(detail).items())
    return failure.text.strip()


def map_error(failure: HttpFailure) -> ProviderError:
    status, what = failure.status, failure.what
    detail = _detail_text(failure)
    error_type = failure.headers.get("x-fal-error-type") or (
        failure.data.get("error_type") if isinstance(failure.data, dict) else None
    )
    said = f" ({detail})" if detail else ""
    if status == 422 or status == 400:
        problems = field_problems(
            failure.data.get("detail") if isinstance(failure.data, dict) else detail
        )
        fields = ", ".join(f"{k}: {v}" for k, v in problems.items()) or detail
        return RemoteValidationError(
            f"{TITLE} refused the input while {what} — {fields}; correct it and try again",
            problems,
        )
    if status == 401 or (status == 403 and "balance" not in detail.lower()):
        return AuthError(
            f"{TITLE} rejected the API key ({status}){said}: check FAL_KEY or the key stored "
            "in the keyring (fal.ai dashboard → Keys)"
        )
    if status in (402, 403):
        return NoCreditsError(
            f"{TITLE} refused the job ({status}){said}: the account's balance is used up; "
            "add credits at fal.ai/dashboard/billing"
        )
    if status == 429:
        wait = (
            f" in {failure.retry_after_s:.0f} s" if failure.retry_after_s is not None else " later"
        )
        return RateLimitedError(
            f"{TITLE} is rate limiting this key (429); try again{wait}", failure.retry_after_s
        )
    if status in (404, 410) and what.startswith(RESULT_WHATS):
        return ResultExpiredError(
            f"{TITLE} no longer has the result ({status}) — fal keeps results only briefly "
            "(minutes for large ones); run the job again"
        )
    if status >= 500:
        kind = f", {error_type}" if error_type else ""
        return ServerUnavailableError(
            f"{TITLE} had a server problem while {what} ({status}{kind}){said}; try again in "
            "a few minutes"
        )
    return ProviderError(f"{TITLE} answered {status} while {what}{said}")
