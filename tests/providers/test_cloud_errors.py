"""Every provider's HTTP errors map to an error type and a message a user can act on."""

from __future__ import annotations

import pytest

from isolde.core.errors import ProviderError
from isolde.providers.audiolasso.errors import map_error as audiolasso_error
from isolde.providers.errors import (
    AuthError,
    JobFailedError,
    NoCreditsError,
    RateLimitedError,
    RemoteValidationError,
    ResultExpiredError,
    ServerUnavailableError,
)
from isolde.providers.fal import FalProvider
from isolde.providers.net.replies import HttpFailure
from isolde.providers.segmind.errors import map_error as segmind_error

fal_error = FalProvider().map_error


def failure(
    status: int, data=None, what: str = "submitting the job", **headers: str
) -> HttpFailure:  # type: ignore[no-untyped-def]
    return HttpFailure(status, what, str(data or ""), data, headers)


@pytest.mark.parametrize(
    ("fail", "kind", "needle"),
    [
        (failure(401, {"detail": "No user found"}), AuthError, "FAL_KEY"),
        (failure(403, {"detail": "Forbidden"}), AuthError, "keyring"),
        (
            failure(403, {"detail": "User is locked. Reason: Exhausted balance"}),
            NoCreditsError,
            "billing",
        ),
        (failure(402, {"detail": "pay"}), NoCreditsError, "balance"),
        (
            failure(422, {"detail": [{"loc": ["body", "spans", 0, "end"], "msg": "too long"}]}),
            RemoteValidationError,
            "spans.0.end: too long",
        ),
        (
            failure(422, {"detail": "audio_url is not reachable"}),
            RemoteValidationError,
            "audio_url is not reachable",
        ),
        (failure(429, {"detail": "slow down"}, **{"retry-after": "30"}), RateLimitedError, "30 s"),
        (
            failure(404, {"detail": "Request not found"}, "fetching the result"),
            ResultExpiredError,
            "run the job again",
        ),
        (failure(404, {"detail": "nope"}, "downloading the target"), ResultExpiredError, "briefly"),
        (failure(500, {"detail": "boom"}, "fetching the result"), JobFailedError, "boom"),
        (
            failure(503, {"detail": "overloaded", "error_type": "runner_unavailable"}),
            ServerUnavailableError,
            "runner_unavailable",
        ),
        (
            failure(504, None, "checking the job's status", **{"x-fal-error-type": "timeout"}),
            ServerUnavailableError,
            "timeout",
        ),
        (failure(418, {"detail": "teapot"}), ProviderError, "418"),
    ],
)
def test_fal_errors(fail: HttpFailure, kind: type, needle: str) -> None:
    if fail.status == 429:
        fail = HttpFailure(429, fail.what, "", fail.data, {}, retry_after_s=30.0)
    error = fal_error(fail)
    assert type(error) is kind and needle in str(error)
    if (
        kind is RemoteValidationError
        and fail.status == 422
        and isinstance(fail.data["detail"], list)
    ):
        assert error.problems == {"spans.0.end": "too long"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("fail", "kind", "needle"),
    [
        (failure(401, {"error": "bad key"}), AuthError, "SEGMIND_API_KEY"),
        (failure(406, {"error": "Insufficient credits"}), NoCreditsError, "credits"),
        (failure(429, "Too many requests"), RateLimitedError, "wait"),
        (
            failure(400, {"error": "description is required"}),
            RemoteValidationError,
            "description is required",
        ),
        (failure(413, "too big"), RemoteValidationError, "max_chunk_duration"),
        (failure(404, {"error": "Model not found"}), ProviderError, "ISOLDE_SEGMIND_URL"),
        (failure(500, "Internal Server Error"), ServerUnavailableError, "try again"),
    ],
)
def test_segmind_errors(fail: HttpFailure, kind: type, needle: str) -> None:
    error = segmind_error(fail)
    assert type(error) is kind and needle in str(error)


def envelope(code: str, message: str, param: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "param": param, "request_id": "r1"}}


@pytest.mark.parametrize(
    ("fail", "kind", "needle"),
    [
        (
            failure(400, envelope("invalid_request", "prompt is required", "input.prompt")),
            RemoteValidationError,
            "input.prompt",
        ),
        (failure(401, envelope("invalid_api_key", "no")), AuthError, "AUDIOLASSO_API_KEY"),
        (failure(402, envelope("insufficient_credits", "top up")), NoCreditsError, "credits"),
        (failure(403, envelope("forbidden", "no access")), AuthError, "forbidden"),
        (
            failure(404, envelope("request_not_found", "gone"), "fetching the result"),
            ResultExpiredError,
            "again",
        ),
        (failure(404, envelope("file_not_found", "no such file")), ProviderError, "file_not_found"),
        (failure(409, envelope("job_failed", "model crashed")), JobFailedError, "model crashed"),
        (
            failure(409, envelope("file_not_uploaded", "upload first")),
            ProviderError,
            "upload first",
        ),
        (failure(410, envelope("result_expired", "kept 24 h")), ResultExpiredError, "kept 24 h"),
        (
            failure(413, envelope("audio_too_long", "too long")),
            RemoteValidationError,
            "max_chunk_duration",
        ),
        (failure(500, envelope("internal", "oops")), ServerUnavailableError, "oops"),
        (failure(502, "<html>bad gateway</html>"), ServerUnavailableError, "bad gateway"),
    ],
)
def test_audiolasso_errors(fail: HttpFailure, kind: type, needle: str) -> None:
    error = audiolasso_error(fail)
    assert type(error) is kind and needle in str(error)
    if kind is RemoteValidationError and fail.status == 400:
        assert error.problems == {"input.prompt": "prompt is required"}  # type: ignore[attr-defined]
