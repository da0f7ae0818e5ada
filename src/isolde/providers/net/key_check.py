"""Test a provider's API key with one cheap authenticated call, and say the result in words.

Each probe is a request the provider authenticates but does not bill (PROVIDERS.md):
- fal: POST {rest}/storage/auth/token?storage_type=fal-cdn-v3 with `{}` — an upload token, free;
- Segmind: POST {base}/v1/sam-audio-large with `{}` — the key is checked before the body, and
  only a 200 is billed, so a 4xx other than 401/403 means the key was accepted;
- AudioLasso: GET {base}/v1/queue/requests/<an id that cannot exist>/status — 404 once the key
  is accepted.
Base URLs come from the same ISOLDE_*_URL variables the providers read (tests point them at the
fake cloud). No retries, redirects are not followed (a key goes to its own origin only), and no
message ever holds the key or the server's words about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from isolde.core.errors import InputError
from isolde.core.redact import Secret, scrub
from isolde.providers.net.urls import UrlPolicyError, base_url, check_url, join

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
REFUSED = frozenset({401, 403})


@dataclass(frozen=True)
class KeyCheck:
    """ok: True accepted, False refused, None could not tell (no network, server trouble)."""

    ok: bool | None
    message: str


@dataclass(frozen=True)
class Probe:
    title: str
    key_env: str
    base_env: str
    header: str
    prefix: str
    method: str
    path: str
    body: Any = None  # JSON body, None for none
    # Statuses besides 2xx that only an accepted key gets, with what to add to the message.
    accepted: dict[int, str] = field(default_factory=dict)


PROBES: dict[str, Probe] = {
    "fal": Probe(
        "fal.ai",
        "FAL_KEY",
        "ISOLDE_FAL_REST_URL",
        "Authorization",
        "Key ",
        "POST",
        "storage/auth/token?storage_type=fal-cdn-v3",
        body={},
    ),
    "segmind": Probe(
        "Segmind",
        "SEGMIND_API_KEY",
        "ISOLDE_SEGMIND_URL",
        "x-api-key",
        "",
        "POST",
        "v1/sam-audio-large",
        body={},
        accepted={
            400: "",
            422: "",
            406: " — but the account has no credits left: top it up on segmind.com",
        },
    ),
    "audiolasso": Probe(
        "AudioLasso",
        "AUDIOLASSO_API_KEY",
        "ISOLDE_AUDIOLASSO_URL",
        "Authorization",
        "Bearer ",
        "GET",
        "v1/queue/requests/isolde-key-check/status",
        accepted={404: "", 402: " — but the account needs payment before jobs run"},
    ),
}


def check_key(
    provider_id: str, key: Secret, *, base: str | None = None, timeout: httpx.Timeout = TIMEOUT
) -> KeyCheck:
    """One authenticated call to `provider_id` with `key`; `base` overrides the base URL that
    the provider's ISOLDE_*_URL variable (or its default) gives."""
    probe = PROBES.get(provider_id)
    if probe is None:
        known = ", ".join(PROBES)
        raise InputError(f"no key test for {provider_id!r}; keys belong to: {known}")
    title = probe.title
    value = key.reveal().strip()
    if not value:
        return KeyCheck(False, f"no key to test for {title}")
    if not value.isascii() or not value.isprintable() or " " in value:
        return KeyCheck(
            False,
            f"the key for {title} holds spaces or characters that cannot be sent: paste it "
            "exactly as issued",
        )
    try:
        root = check_url(base.rstrip("/"), "the base URL") if base else base_url(probe.base_env)
    except UrlPolicyError as exc:
        return KeyCheck(None, f"could not test the key for {title}: {exc}")
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.request(
                probe.method,
                join(root, probe.path),
                headers={probe.header: probe.prefix + value},
                json=probe.body,
            )
    except httpx.TransportError as exc:
        return KeyCheck(
            None, f"could not reach {title}: {_reason(exc, timeout)} — check the connection"
        )
    return _verdict(probe, response.status_code, custom=base is not None)


def _verdict(probe: Probe, status: int, *, custom: bool = False) -> KeyCheck:
    title = probe.title
    if 200 <= status < 300 or status in probe.accepted:
        return KeyCheck(True, f"{title} accepted the key{probe.accepted.get(status, '')}")
    if status in REFUSED:
        return KeyCheck(False, f"{title} refused the key ({status}): check it was copied whole")
    if status == 429:
        return KeyCheck(None, f"{title} is limiting requests (429): try again in a minute")
    if status >= 500:
        return KeyCheck(None, f"{title} has trouble right now ({status}): try again later")
    if status in (404, 405) or 300 <= status < 400:
        where = "the base URL" if custom else f"{probe.base_env} if it is set"
        return KeyCheck(
            None, f"{title} answered {status} where it should not: check {where} (a proxy?)"
        )
    return KeyCheck(
        None, f"{title} answered {status}, which says nothing about the key: try again later"
    )


def _reason(exc: httpx.TransportError, timeout: httpx.Timeout) -> str:
    """A short cause: "connection refused", "no answer within 10 s", the resolver's words."""
    if isinstance(exc, httpx.TimeoutException):
        limit = timeout.connect if isinstance(exc, httpx.ConnectTimeout) else timeout.read
        return f"no answer within {limit:g} s" if limit else "no answer in time"
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", scrub(str(exc)).strip())
    return (text[:1].lower() + text[1:]) if text else type(exc).__name__
