"""A keyring backend that keeps passwords in one JSON file (a test's temporary folder), so the
settings tests store and remove keys through the real `keyring` API without touching the
machine's own keyring."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

NAME = "test file keyring"


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]  # never chosen on its own: tests set it
    name = NAME  # type: ignore[assignment]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def _load(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def _save(self, data: dict[str, str]) -> None:
        self.path.write_text(json.dumps(data))

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self._save({**self._load(), f"{service}/{username}": password})

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError(f"no password for {username}")
        self._save(data)


@contextmanager
def keyring_set_to(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """`backend` as the keyring for the duration; the previous one is restored afterwards."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
