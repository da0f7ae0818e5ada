"""The engines Isolde knows, by name. `local` is the default and needs nothing; the cloud ones
need a key (see `isolde.providers.net.keys`)."""

from __future__ import annotations

from collections.abc import Callable

from isolde.core.errors import InputError
from isolde.providers.base import Provider

DEFAULT_PROVIDER = "local"


def _local() -> Provider:
    from isolde.providers.local import LocalProvider

    return LocalProvider()


def _fal() -> Provider:
    from isolde.providers.fal import FalProvider

    return FalProvider()


def _segmind() -> Provider:
    from isolde.providers.segmind import SegmindProvider

    return SegmindProvider()


def _audiolasso() -> Provider:
    from isolde.providers.audiolasso import AudioLassoProvider

    return AudioLassoProvider()


# Factories, so that listing providers never imports an engine's heavy dependencies.
_FACTORIES: dict[str, Callable[[], Provider]] = {
    "local": _local,
    "fal": _fal,
    "segmind": _segmind,
    "audiolasso": _audiolasso,
}


def provider_names() -> list[str]:
    return list(_FACTORIES)


def get_provider(name: str) -> Provider:
    try:
        factory = _FACTORIES[name]
    except KeyError:
        known = ", ".join(_FACTORIES)
        raise InputError(f"unknown provider {name!r}; choose one of: {known}") from None
    return factory()


def register(name: str, factory: Callable[[], Provider]) -> None:
    _FACTORIES[name] = factory
