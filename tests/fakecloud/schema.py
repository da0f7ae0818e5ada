"""Checking a JSON body against a small schema, answering like FastAPI/pydantic (422 detail)."""

from __future__ import annotations

from typing import Any


def _type_problem(value: Any, rule: Any) -> str | None:
    if (
        isinstance(rule, tuple)
        and rule
        and isinstance(rule[0], str)
        and rule[0] in ("int", "number")
    ):
        kind, low, high = rule
        problem = _type_problem(value, kind)
        if problem:
            return problem
        if not low <= value <= high:
            return f"Input should be between {low} and {high}"
        return None
    if isinstance(rule, tuple):  # an enum
        return None if value in rule else f"Input should be {', '.join(map(repr, rule))}"
    if rule == "str":
        return None if isinstance(value, str) else "Input should be a valid string"
    if rule == "bool":
        return None if isinstance(value, bool) else "Input should be a valid boolean"
    if rule == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "Input should be a valid integer"
    if rule == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "Input should be a valid number"
    if rule == "spans":
        if not isinstance(value, list) or not value:
            return "Input should be a non-empty list of spans"
        for span in value:
            if not isinstance(span, dict) or set(span) - {"start", "end", "include"}:
                return "Each span should be {start, end, include}"
            if _type_problem(span.get("start"), "number") or _type_problem(
                span.get("end"), "number"
            ):
                return "Span start and end should be numbers"
            if not span["start"] < span["end"]:
                return "Span start should be before its end"
        return None
    raise ValueError(rule)


def check(body: Any, schema: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems as [{"loc": ["body", field], "msg": …, "type": …}]; empty when valid."""
    if not isinstance(body, dict):
        return [{"loc": ["body"], "msg": "Input should be a valid object", "type": "dict_type"}]
    out = []
    for name, rule in schema["required"].items():
        if name not in body:
            out.append({"loc": ["body", name], "msg": "Field required", "type": "missing"})
        elif problem := _type_problem(body[name], rule):
            out.append({"loc": ["body", name], "msg": problem, "type": "value_error"})
    for name, value in body.items():
        if name in schema["required"]:
            continue
        rule = schema["optional"].get(name)
        if rule is None:
            out.append(
                {
                    "loc": ["body", name],
                    "msg": "Extra inputs are not permitted",
                    "type": "extra_forbidden",
                }
            )
        elif problem := _type_problem(value, rule):
            out.append({"loc": ["body", name], "msg": problem, "type": "value_error"})
    return out
