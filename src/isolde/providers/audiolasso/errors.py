"""AudioLasso's error envelope `{"error": {code, message, param, request_id}}` as messages."""

from __future__ import annotations

from isolde.core.errors import ProviderError
from isolde.providers.errors import (
    AuthError,
    JobFailedError,
    NoCreditsError,
    RateLimitedError,
    RemoteValidationError,
    ResultExpiredError,
    ServerUnavailableError,
)
from isolde.providers.net.replies import HttpFailure

TITLE = "AudioLasso"


def map_error(failure: HttpFailure) -> ProviderError:
    status = failure.status
    error = failure.data.get("error") if isinstance(failure.data, dict) else None
    if not isinstance(error, dict):
        error = {"message": str(error or failure.text.strip())}
    code = str(error.get("code") or "")
    message = str(error.get("message") or "")
    param = error.get("param")
    said = f" ({code}: {message})" if code else (f" ({message})" if message else "")
    if status in (401, 403):
        return AuthError(
            f"{TITLE} rejected the API key ({status}){said}: check AUDIOLASSO_API_KEY or the "
            "key stored in the keyring"
        )
    if status == 402:
        return NoCreditsError(
            f"{TITLE} refused the job: no credits left (402){said}; top up your AudioLasso account"
        )
    if status in (400, 422):
        field = str(param) if param else "input"
        return RemoteValidationError(
            f"{TITLE} refused the input{said}; correct {field}",
            {field: message or code or "invalid"},
        )
    if status == 413:
        return RemoteValidationError(
            f"{TITLE} refused the audio as too large or too long (413){said}; lower the "
            "max_chunk_duration option",
            {"option max_chunk_duration": message or "too long for AudioLasso"},
        )
    if status == 410 or (status == 404 and failure.what.startswith("fetching the result")):
        return ResultExpiredError(
            f"{TITLE} no longer has the result ({status}){said}; run the job again"
        )
    if status == 409 and code == "job_failed":
        return JobFailedError(f"{TITLE}: the job failed{said}", reason=message)
    if status == 429:
        return RateLimitedError(f"{TITLE} is rate limiting this key (429); try again later")
    if status >= 500:
        return ServerUnavailableError(
            f"{TITLE} had a server problem while {failure.what} ({status}){said}; try again "
            "in a few minutes"
        )
    return ProviderError(f"{TITLE} answered {status} while {failure.what}{said}")
