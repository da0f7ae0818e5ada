"""Segmind's error answers (`{"error": "…"}`, sometimes plain text) as messages to act on."""

from __future__ import annotations

from isolde.core.errors import ProviderError
from isolde.providers.errors import (
    AuthError,
    NoCreditsError,
    RateLimitedError,
    RemoteValidationError,
    ServerUnavailableError,
)
from isolde.providers.net.replies import HttpFailure

TITLE = "Segmind"


def map_error(failure: HttpFailure) -> ProviderError:
    status = failure.status
    data = failure.data
    detail = str(data.get("error") or data.get("message") or "") if isinstance(data, dict) else ""
    detail = detail or failure.text.strip()
    said = f" ({detail})" if detail else ""
    if status in (401, 403):
        return AuthError(
            f"{TITLE} rejected the API key ({status}){said}: check SEGMIND_API_KEY or the key "
            "stored in the keyring (segmind.com → API keys)"
        )
    if status == 406:
        return NoCreditsError(
            f"{TITLE} has not enough credits for this request (406): top up at "
            "segmind.com/billing, or use another engine"
        )
    if status == 429:
        return RateLimitedError(
            f"{TITLE} is rate limiting this key (429); wait a minute and try again"
        )
    if status in (400, 422):
        return RemoteValidationError(
            f"{TITLE} refused the input ({status}){said}", {"input": detail or "invalid"}
        )
    if status == 413:
        return RemoteValidationError(
            f"{TITLE} refused the audio as too large (413); lower the max_chunk_duration option",
            {"option max_chunk_duration": "the pieces are too large for Segmind"},
        )
    if status == 404:
        return ProviderError(
            f"{TITLE} answered 404{said}: the model endpoint was not found — check "
            "ISOLDE_SEGMIND_URL"
        )
    if status >= 500:
        return ServerUnavailableError(
            f"{TITLE} had a server problem while {failure.what} ({status}){said}; try again "
            "in a few minutes"
        )
    return ProviderError(f"{TITLE} answered {status} while {failure.what}{said}")
