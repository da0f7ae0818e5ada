"""Base URLs (overridable for gateways, proxies and tests) and the rule for where we may connect.

Every URL — configured or returned by a server — must be https, except to loopback hosts
(127.0.0.0/8, ::1, localhost), where plain http is allowed for local proxies and the fake cloud.
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from isolde.core.errors import ProviderError

BASE_URLS: dict[str, str] = {
    "ISOLDE_FAL_QUEUE_URL": "https://queue.fal.run",
    "ISOLDE_FAL_REST_URL": "https://rest.fal.ai",
    "ISOLDE_SEGMIND_URL": "https://api.segmind.com",
    "ISOLDE_AUDIOLASSO_URL": "https://audiolasso.dev",
}


class UrlPolicyError(ProviderError):
    """A URL we refuse to connect to (not https, not loopback, or malformed)."""


def base_url(env_name: str) -> str:
    """The configured base URL (environment, else the default), checked, without a trailing /."""
    url = (os.environ.get(env_name) or BASE_URLS[env_name]).strip().rstrip("/")
    check_url(url, f"the base URL in {env_name}")
    return url


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, what: str) -> str:
    """Return `url` if we may connect to it; raise UrlPolicyError saying why not otherwise."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise UrlPolicyError(f"{what} is not a valid URL: {_show(url)}") from None
    if not host:
        raise UrlPolicyError(f"{what} has no host: {_show(url)}")
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and is_loopback(host):
        return url
    raise UrlPolicyError(
        f"{what} must use https (plain http is allowed only to this computer): {_show(url)}"
    )


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port): keys are only ever sent to the configured base URL's origin."""
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def own_url(returned: object, built: str, base: str) -> str:
    """A job URL a server returned, if it is on `base`'s origin; else the documented one built
    from `base`. A gateway that forwards to the provider may hand back the provider's own host,
    which must not get the key, while the same path on the gateway works."""
    if isinstance(returned, str) and returned:
        url = check_url(returned, "a job URL from the server")
        if origin(url) == origin(base):
            return url
    return check_url(built, "a job URL")


def join(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path.lstrip("/")


def _show(url: str) -> str:
    """A URL for an error message: scheme, host and path only (a query may hold a signature)."""
    parts = urlsplit(url)
    if not parts.scheme:
        return repr(url[:80])
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"[:200]
