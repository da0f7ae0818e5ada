"""The project's state as one immutable value, and the pure edits that make a new one.

Every function here checks its input against the media's duration and returns a new
`ProjectState`, leaving the old one untouched, so the undo history can keep states as they are.
The video masks' edits live in `mask_edits.py`.
Spans keep the order they were added in (the later-wins overlap rule depends on it): editing a
span replaces it in place.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from isolde.core.edits import AppliedEdit
from isolde.core.errors import InputError, SpanError
from isolde.core.frozen import EMPTY, check_jsonable, freeze_mapping
from isolde.core.masks import MaskObject
from isolde.core.media import MediaRef
from isolde.core.spans import InpaintRegion, Span
from isolde.core.takes import Take

if TYPE_CHECKING:
    from isolde.core.layers import Layer

DEFAULT_PROVIDER = "local"
SPAN_FIELDS = ("start", "end", "include")
REGION_FIELDS = ("start", "end", "prompt", "negative_prompt", "seed", "steps")

Mark = TypeVar("Mark", Span, InpaintRegion)


@dataclass(frozen=True)
class ProjectState:
    media: MediaRef | None = None
    spans: tuple[Span, ...] = ()
    regions: tuple[InpaintRegion, ...] = ()
    prompt: str = ""
    provider: str = DEFAULT_PROVIDER
    options: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    takes: tuple[Take, ...] = ()
    active_take: str | None = None
    edits: tuple[AppliedEdit, ...] = ()  # takes applied to the timeline, in order (later wins)
    masks: tuple[MaskObject, ...] = ()  # video masks, one per object (edits: mask_edits.py)
    mask_invert: bool = False  # send the picture outside the masks instead
    layers: tuple[Layer, ...] = ()  # the source peeled into parts (edits: core/layers.py)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spans", tuple(self.spans))
        object.__setattr__(self, "regions", tuple(self.regions))
        object.__setattr__(self, "takes", tuple(self.takes))
        object.__setattr__(self, "edits", tuple(self.edits))
        object.__setattr__(self, "masks", tuple(self.masks))
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "options", freeze_mapping(self.options))

    @property
    def duration(self) -> float | None:
        """The bound spans are checked against; None while no media is open."""
        return None if self.media is None else self.media.duration

    def span(self, span_id: str) -> Span:
        return _find(self.spans, span_id, "span")

    def region(self, region_id: str) -> InpaintRegion:
        return _find(self.regions, region_id, "inpaint region")

    def take(self, take_id: str) -> Take:
        return _find(self.takes, take_id, "take")

    def edit(self, edit_id: str) -> AppliedEdit:
        return _find(self.edits, edit_id, "applied edit")

    def mask(self, mask_id: str) -> MaskObject:
        return _find(self.masks, mask_id, "mask")

    @property
    def current_take(self) -> Take | None:
        return None if self.active_take is None else self.take(self.active_take)


# -- checks -------------------------------------------------------------------------------------


def check_span(span: Span, duration: float | None) -> Span:
    """Types first (Span.validate formats the times), then the span rules."""
    _check_time_types("span", span.start, span.end)
    if not isinstance(span.include, bool):
        raise SpanError(
            f"span {span.start:g}–{span.end:g}: include must be true or false, got {span.include!r}"
        )
    return span.validate(duration)


def check_region(region: InpaintRegion, duration: float | None) -> InpaintRegion:
    _check_time_types("inpaint region", region.start, region.end)
    for name in ("prompt", "negative_prompt"):
        if not isinstance(getattr(region, name), str):
            raise SpanError(
                f"inpaint region {region.start:g}–{region.end:g}: {name} must be "
                f"text, got {getattr(region, name)!r}"
            )
    for name in ("seed", "steps"):
        if isinstance(getattr(region, name), bool):  # bool is an int; never a seed or a count
            raise SpanError(
                f"inpaint region: {name} must be a whole number, got {getattr(region, name)!r}"
            )
    return region.validate(duration)


def check_take(take: Take) -> Take:
    if not isinstance(take, Take):
        raise InputError(f"not a take: {take!r}")
    if take.relative_files:
        role = take.relative_files[0]
        raise InputError(
            f"take {take.id}: the {role} file path {take.files[role]!r} is relative; a project "
            "needs absolute paths (use take.resolved(folder))"
        )
    return take


def check_state(state: ProjectState) -> ProjectState:
    """Everything `ProjectState` cannot check alone: times against the media, unique ids."""
    duration = state.duration
    for span in state.spans:
        check_span(span, duration)
    for region in state.regions:
        check_region(region, duration)
    for obj in state.masks:
        if not isinstance(obj, MaskObject):
            raise InputError(f"not a masked object: {obj!r}")
    for what, items in (
        ("span", state.spans),
        ("inpaint region", state.regions),
        ("take", state.takes),
        ("applied edit", state.edits),
        ("mask", state.masks),
    ):
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise InputError(f"two {what}s share the id {item.id!r}")
            seen.add(item.id)
    for take in state.takes:
        check_take(take)
    for edit in state.edits:
        check_edit(state, edit)
    if not isinstance(state.mask_invert, bool):
        raise InputError(f"mask_invert must be true or false, got {state.mask_invert!r}")
    _check_text("prompt", state.prompt)
    _check_provider(state.provider, state.options)
    if state.active_take is not None:
        state.take(state.active_take)
    if state.layers:
        from isolde.core.layers import check_layers  # layers.py imports this module

        check_layers(state)
    return state


# -- edits --------------------------------------------------------------------------------------


def set_media(state: ProjectState, media: MediaRef | None) -> ProjectState:
    """Open or relink media; existing marks must still fit in it."""
    return check_state(replace(state, media=media))


def add_span(state: ProjectState, span: Span) -> ProjectState:
    _check_new_id(state.spans, span.id, "span")
    return replace(state, spans=(*state.spans, _tidy(check_span(span, state.duration))))


def update_span(state: ProjectState, span_id: str, **changes: Any) -> ProjectState:
    _check_fields(changes, SPAN_FIELDS, "span")
    index = _index(state.spans, span_id, "span")
    span = _tidy(check_span(replace(state.spans[index], **changes), state.duration))
    return replace(state, spans=_put(state.spans, index, span))


def remove_span(state: ProjectState, span_id: str) -> ProjectState:
    index = _index(state.spans, span_id, "span")
    return replace(state, spans=state.spans[:index] + state.spans[index + 1 :])


def add_region(state: ProjectState, region: InpaintRegion) -> ProjectState:
    _check_new_id(state.regions, region.id, "inpaint region")
    region = _tidy(check_region(region, state.duration))
    return replace(state, regions=(*state.regions, region))


def update_region(state: ProjectState, region_id: str, **changes: Any) -> ProjectState:
    _check_fields(changes, REGION_FIELDS, "inpaint region")
    index = _index(state.regions, region_id, "inpaint region")
    region = _tidy(check_region(replace(state.regions[index], **changes), state.duration))
    return replace(state, regions=_put(state.regions, index, region))


def remove_region(state: ProjectState, region_id: str) -> ProjectState:
    index = _index(state.regions, region_id, "inpaint region")
    return replace(state, regions=state.regions[:index] + state.regions[index + 1 :])


def set_prompt(state: ProjectState, prompt: str) -> ProjectState:
    _check_text("prompt", prompt)
    return replace(state, prompt=prompt)


def set_provider(
    state: ProjectState, name: str, options: Mapping[str, Any] | None = None
) -> ProjectState:
    """Choose the engine; `options` replace the previous provider's options wholesale."""
    options = options or {}
    _check_provider(name, options)
    return replace(state, provider=name, options=freeze_mapping(options))


def add_take(state: ProjectState, take: Take, *, make_active: bool = True) -> ProjectState:
    check_take(take)
    _check_new_id(state.takes, take.id, "take")
    return replace(
        state,
        takes=(*state.takes, take),
        active_take=take.id if make_active else state.active_take,
    )


def remove_take(state: ProjectState, take_id: str) -> ProjectState:
    """Forget a take (its files stay on disk); the active take falls back to none."""
    used = [e for e in state.edits if e.take_id == take_id]
    if used:
        raise InputError(
            f"take {take_id!r} is applied to the timeline ({len(used)} edit(s)); "
            "remove those edits first"
        )
    if state.layers:
        from isolde.core.layers import takes_used

        if take_id in takes_used(state):
            raise InputError(f"take {take_id!r} makes up layers; delete that split or merge first")
    index = _index(state.takes, take_id, "take")
    active = None if state.active_take == take_id else state.active_take
    return replace(state, takes=state.takes[:index] + state.takes[index + 1 :], active_take=active)


def rename_take(state: ProjectState, take_id: str, label: str) -> ProjectState:
    """The user's name for a take; empty text goes back to the name made from its request."""
    _check_text("take label", label)
    index = _index(state.takes, take_id, "take")
    return replace(state, takes=_put(state.takes, index, replace(state.takes[index], label=label)))


def check_edit(state: ProjectState, edit: AppliedEdit) -> AppliedEdit:
    edit.validate(state.duration)
    take = state.take(edit.take_id)
    needed = ("inpainted",) if edit.kind == "inpaint" else ("target", "residual")
    missing = [role for role in needed if role not in take.files]
    if missing:
        raise InputError(
            f"take {take.id} has no {', '.join(missing)} file, so it cannot be applied as "
            f"a {edit.kind}"
        )
    return edit


def apply_edit(state: ProjectState, edit: AppliedEdit) -> ProjectState:
    _check_new_id(state.edits, edit.id, "applied edit")
    return replace(state, edits=(*state.edits, check_edit(state, edit)))


def update_edit(state: ProjectState, edit_id: str, **changes: Any) -> ProjectState:
    index = _index(state.edits, edit_id, "applied edit")
    edit = check_edit(state, replace(state.edits[index], **changes))
    return replace(state, edits=_put(state.edits, index, edit))


def remove_edit(state: ProjectState, edit_id: str) -> ProjectState:
    index = _index(state.edits, edit_id, "applied edit")
    return replace(state, edits=state.edits[:index] + state.edits[index + 1 :])


def set_active_take(state: ProjectState, take_id: str | None) -> ProjectState:
    if take_id is not None:
        _index(state.takes, take_id, "take")
    return replace(state, active_take=take_id)


# -- helpers ------------------------------------------------------------------------------------


def _check_time_types(what: str, start: Any, end: Any) -> None:
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SpanError(f"{what}: {name} must be a number of seconds, got {value!r}")
        if not math.isfinite(value):
            raise SpanError(f"{what}: {name} must be a finite number of seconds, got {value!r}")


def _tidy(item: Mark) -> Mark:
    # Whole-number seconds from a caller become floats, so equal states compare and save alike.
    return replace(item, start=float(item.start), end=float(item.end))


def _check_text(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise InputError(f"{name} must be text, got {value!r}")


def _check_provider(name: Any, options: Any) -> None:
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"provider must be a provider name such as 'local', got {name!r}")
    if not isinstance(options, Mapping):
        raise InputError(f"{name} options must be a mapping of option names to values")
    check_jsonable(options, f"{name} option")


def _check_fields(changes: Mapping[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise InputError(
            f"cannot change {', '.join(unknown)} of {what}s; changeable: {', '.join(allowed)}"
        )


def _index(items: tuple[Any, ...], item_id: str, what: str) -> int:
    for i, item in enumerate(items):
        if item.id == item_id:
            return i
    raise InputError(f"no {what} with id {item_id!r} in this project")


def _find(items: tuple[Any, ...], item_id: str, what: str) -> Any:
    return items[_index(items, item_id, what)]


def _check_new_id(items: tuple[Any, ...], item_id: str, what: str) -> None:
    if not isinstance(item_id, str) or not item_id:
        raise InputError(f"a {what} needs a non-empty text id, got {item_id!r}")
    if any(item.id == item_id for item in items):
        raise InputError(f"a {what} with id {item_id!r} is already in this project")


def _put(items: tuple[Any, ...], index: int, item: Any) -> tuple[Any, ...]:
    return (*items[:index], item, *items[index + 1 :])
