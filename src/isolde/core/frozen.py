"""Read-only views of JSON-like data, so that states kept in the undo history cannot be mutated.

`freeze` turns dicts into `MappingProxyType` over a private copy and lists into tuples, all the
way down; `thaw` turns them back into plain dicts and lists for `json.dumps`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from isolde.core.errors import InputError

EMPTY: Mapping[str, Any] = MappingProxyType({})


def freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def freeze_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return EMPTY if not value else freeze(value)


def thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(v) for v in value]
    return value


def check_jsonable(value: Any, where: str) -> None:
    """Raise InputError naming `where` unless `value` can be saved in a project file."""
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"{where} must be a finite number, got {value!r}")
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise InputError(f"{where}: keys must be text, got {k!r}")
            check_jsonable(v, f"{where}.{k}")
        return
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            check_jsonable(v, f"{where}[{i}]")
        return
    kind = type(value).__name__
    raise InputError(f"{where} must be text, a number, true/false, a list or a mapping, got {kind}")
