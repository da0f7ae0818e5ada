"""Engine options, declared once so that the CLI, the UI and validation all read the same list."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from isolde.providers.base import RequestKind


@dataclass(frozen=True)
class OptionSpec:
    """One provider option.

    `default` None means "not sent": the engine applies its own default. `kinds` lists the request
    kinds the option applies to (empty: all of them); setting it for another kind is an error.
    `choice_help`, when given, says what each of `choices` does, in the same order: the UI shows
    it for the choice under the pointer and for the one chosen.
    """

    name: str
    type: type  # int, float, str or bool
    default: Any
    help: str
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    kinds: tuple[RequestKind, ...] = ()
    choice_help: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.choice_help and len(self.choice_help) != len(self.choices):
            raise ValueError(f"option {self.name}: one help line per choice, in order")

    def help_for(self, choice: Any) -> str:
        """What `choice` does, or "" when the option does not say."""
        pairs = zip(self.choices, self.choice_help, strict=False)
        return next((text for c, text in pairs if c == choice), "")

    def applies_to(self, kind: RequestKind) -> bool:
        return not self.kinds or kind in self.kinds

    def coerce(self, raw: Any) -> Any:
        """Turn a CLI string (or a JSON value) into this option's type, or raise ValueError."""
        if raw is None and self.default is None:
            return None
        if self.type is bool:
            value: Any = _to_bool(raw)
        elif self.type is int:
            if isinstance(raw, bool):
                raise ValueError(f"expected a whole number, got {raw!r}")
            try:
                value = int(str(raw).strip())
            except ValueError:
                raise ValueError(f"expected a whole number, got {raw!r}") from None
        elif self.type is float:
            try:
                value = float(str(raw).strip())
            except ValueError:
                raise ValueError(f"expected a number, got {raw!r}") from None
            if not math.isfinite(value):
                raise ValueError(f"expected a finite number, got {raw!r}")
        else:
            value = str(raw)
        if self.choices and value not in self.choices:
            allowed = ", ".join(str(c) for c in self.choices)
            raise ValueError(f"must be one of {allowed}; got {raw!r}")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"must be at least {self.minimum:g}; got {raw!r}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"must be at most {self.maximum:g}; got {raw!r}")
        return value

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "type": self.type.__name__,
            "default": self.default,
            "help": self.help,
        }
        if self.choices:
            data["choices"] = list(self.choices)
        if self.choice_help:
            pairs = zip(self.choices, self.choice_help, strict=True)
            data["choice_help"] = {str(c): h for c, h in pairs}
        if self.minimum is not None:
            data["minimum"] = self.minimum
        if self.maximum is not None:
            data["maximum"] = self.maximum
        if self.kinds:
            data["kinds"] = [k.value for k in self.kinds]
        return data


def _to_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {raw!r}")
