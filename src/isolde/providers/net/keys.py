"""API keys: from the environment, else the OS keyring (service "isolde", username = env name).

The storage API (get/set/delete/where-from) is what the settings UI builds on. A machine without
a keyring backend (a bare server, a CI box) still works through the environment.
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from isolde.core.errors import MissingKeyError, ProviderError
from isolde.core.redact import Secret, remember

SERVICE = "isolde"
KEY_ENVS = ("FAL_KEY", "SEGMIND_API_KEY", "AUDIOLASSO_API_KEY")
log = logging.getLogger(__name__)


class KeyStoreError(ProviderError):
    """The keyring cannot store or delete a key here."""


@dataclass(frozen=True)
class KeyStatus:
    """Where a provider's key would come from; never the key itself."""

    env_var: str
    source: str | None  # "environment", "keyring" or None
    keyring: str | None  # the keyring backend's name, or None when there is no usable one

    @property
    def configured(self) -> bool:
        return self.source is not None


def _keyring():  # type: ignore[no-untyped-def]
    """The keyring module with a usable backend, or None (not installed, or only the fail one)."""
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # a broken keyring install must not stop the app
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring):
        return None
    return keyring


def keyring_name() -> str | None:
    kr = _keyring()
    if kr is None:
        return None
    backend = kr.get_keyring()
    return getattr(backend, "name", type(backend).__name__)


def _from_keyring(env_var: str) -> str | None:
    kr = _keyring()
    if kr is None:
        return None
    try:
        value = kr.get_password(SERVICE, env_var)
    except Exception as exc:  # a locked or broken keyring reads as "no key"
        log.debug("keyring lookup for %s failed: %s", env_var, type(exc).__name__)
        return None
    return value.strip() if value and value.strip() else None


def key_source(env_var: str) -> str | None:
    if os.environ.get(env_var, "").strip():
        return "environment"
    if _from_keyring(env_var) is not None:
        return "keyring"
    return None


def key_status(env_var: str) -> KeyStatus:
    return KeyStatus(env_var, key_source(env_var), keyring_name())


def get_key(env_var: str) -> Secret | None:
    value = os.environ.get(env_var, "").strip() or _from_keyring(env_var)
    return Secret(value) if value else None


def keyring_command(env_var: str) -> str:
    """The command that stores `env_var`'s key in the keyring, run with this very interpreter
    (the one that has `keyring` installed): `python` only when that is what PATH finds."""
    on_path = shutil.which("python")
    same = on_path is not None and Path(on_path).absolute() == Path(sys.executable).absolute()
    python = "python" if same else shlex.quote(sys.executable)
    return f"{python} -m keyring set {SERVICE} {env_var}"


def where_to_put(env_var: str) -> str:
    """How to give Isolde the key on this computer: the environment, and the keyring only
    where one exists."""
    if keyring_name() is None:
        return (
            f"set the environment variable {env_var} (this computer has no OS keyring to "
            "keep it in)"
        )
    return (
        f"set the environment variable {env_var}, or store the key in the OS keyring with "
        f"`{keyring_command(env_var)}`"
    )


def missing_key_message(env_var: str, title: str) -> str:
    return f"no API key for {title}: {where_to_put(env_var)}"


def require_key(env_var: str, title: str) -> Secret:
    key = get_key(env_var)
    if key is None:
        raise MissingKeyError(missing_key_message(env_var, title))
    if not key.reveal().isascii() or not key.reveal().isprintable() or " " in key.reveal():
        raise MissingKeyError(
            f"the key for {title} (from {key_source(env_var)}) holds spaces or characters "
            f"that cannot be sent in a header; set {env_var} to the key exactly as issued"
        )
    return key


def set_key(env_var: str, value: str) -> None:
    value = value.strip()
    if not value:
        raise KeyStoreError(f"refusing to store an empty key for {env_var}")
    remember(value)
    kr = _keyring()
    if kr is None:
        raise KeyStoreError(
            f"no OS keyring is available on this computer; set {env_var} in the environment instead"
        )
    try:
        kr.set_password(SERVICE, env_var, value)
    except Exception as exc:
        raise KeyStoreError(
            f"the OS keyring could not store {env_var} ({type(exc).__name__}); set {env_var} in "
            "the environment instead"
        ) from None


def delete_key(env_var: str) -> bool:
    """Remove a stored key; False when there was none (the environment is not touched)."""
    kr = _keyring()
    if kr is None or _from_keyring(env_var) is None:
        return False
    try:
        kr.delete_password(SERVICE, env_var)
    except Exception as exc:
        raise KeyStoreError(
            f"the OS keyring could not delete {env_var} ({type(exc).__name__})"
        ) from None
    return True
