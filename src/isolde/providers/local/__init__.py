"""The offline engine: works with no key and no network.

Layout: the signal processing is `isolde.dsp` (plain numpy on arrays); here are only what
a prompt means to it (prompts), turning one request into target and residual files
(separation_job, with reporting for its events), and the Provider wrapper that owns validation,
files and events (provider).

`LocalProvider` loads on first use (PEP 562), so importing one submodule (`isolde suggest`'s
detector names) does not import the whole engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from isolde.providers.local.provider import LocalProvider

__all__ = ["LocalProvider"]


def __getattr__(name: str) -> Any:
    if name != "LocalProvider":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from isolde.providers.local.provider import LocalProvider

    globals()[name] = LocalProvider
    return LocalProvider
