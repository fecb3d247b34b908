"""Segments: saved customer filters over tags and fields with AND / OR / NOT.

A definition is a tree: ``{"and": [...]}``, ``{"or": [...]}``, ``{"not": {...}}``, ``{"tag": "vip"}`` or
``{"field": "region", "op": "eq", "value": "east"}``; ``custom.<key>`` names a custom attribute.
The customer service evaluates it in the database; this module says what is well-formed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from .accounts import BUSINESS_LINES, SETTABLE_STATUSES, SIZES, TIERS
from .common import ListQuery, Strict, page_of

TEXT_OPS = ("eq", "ne", "in", "not_in", "contains", "is_null")
TIME_OPS = ("gt", "gte", "lt", "lte", "is_null")
# field → (kind, allowed values or None)
FIELDS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "name": ("text", None), "customer_code": ("text", None), "region": ("text", None),
    "industry": ("text", None), "team": ("text", None), "owner_id": ("text", None),
    "status": ("text", SETTABLE_STATUSES), "tier": ("text", TIERS), "size": ("text", SIZES),
    "business_line": ("label", BUSINESS_LINES),
    "created_at": ("time", None), "updated_at": ("time", None),
    "credit_hold": ("flag", None), "over_limit": ("flag", None),
}
OPS = {"text": TEXT_OPS, "label": ("eq", "in"), "time": TIME_OPS, "flag": ("eq",)}
CUSTOM_PREFIX = "custom."
MAX_DEPTH = 8
MAX_NODES = 100


def field_kind(name: str) -> tuple[str, tuple[str, ...] | None] | None:
    if name.startswith(CUSTOM_PREFIX) and 0 < len(name) - len(CUSTOM_PREFIX) <= 64:
        return "text", None
    return FIELDS.get(name)


def _check_value(kind: str, op: str, allowed: tuple[str, ...] | None, value: Any) -> str | None:
    """An error message for a leaf's value, or None when it fits its field and operator."""
    if op == "is_null":
        return None if isinstance(value, bool) else "is_null takes true or false."
    if kind == "flag":
        return None if isinstance(value, bool) else "Takes true or false."
    if kind == "time":
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return "Not an RFC 3339 time."
        return None if parsed.tzinfo else "Give the time zone (e.g. 2025-01-01T00:00:00Z)."
    values = value if op in ("in", "not_in") else [value]
    if not isinstance(values, list) or not values or len(values) > 100:
        return f"{op} takes a list of 1 to 100 values."
    if not all(isinstance(v, str) and 0 < len(v) <= 200 for v in values):
        return "Values are strings of 1 to 200 characters."
    if allowed and op != "contains" and any(v not in allowed for v in values):
        return f"Use one of: {', '.join(allowed)}."
    return None


def _check_leaf(node: dict[str, Any], path: str, errors: dict[str, list[str]]) -> None:
    here = path or "_schema"
    if "tag" in node:
        tag = node["tag"]
        if set(node) != {"tag"} or not isinstance(tag, str) or not 0 < len(tag) <= 50:
            errors[here] = ['A tag condition is {"tag": "<1-50 characters>"} and nothing else.']
        return
    if set(node) != {"field", "op", "value"}:
        errors[here] = ['A field condition is {"field", "op", "value"}.']
        return
    spec = field_kind(str(node["field"]))
    if spec is None:
        errors[_at(path, "field")] = [f"Unknown field. Use custom.<key> or one of: {', '.join(FIELDS)}."]
        return
    kind, allowed = spec
    if node["op"] not in OPS[kind]:
        errors[_at(path, "op")] = [f"Use one of: {', '.join(OPS[kind])}."]
        return
    message = _check_value(kind, node["op"], allowed, node["value"])
    if message:
        errors[_at(path, "value")] = [message]


def _at(path: str, part: str | int) -> str:
    return f"{path}.{part}" if path else str(part)


def check_definition(node: Any, path: str = "", depth: int = 0, counter: list[int] | None = None,
                     errors: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """Every problem in a definition tree, keyed by its path (``and.1.value``); empty when well-formed."""
    counter = counter if counter is not None else [0]
    errors = errors if errors is not None else {}
    counter[0] += 1
    if depth > MAX_DEPTH or counter[0] > MAX_NODES:
        errors.setdefault("_schema", [f"At most {MAX_DEPTH} levels and {MAX_NODES} conditions."])
        return errors
    here = path or "_schema"
    if not isinstance(node, dict) or not node:
        errors[here] = ["A condition is a JSON object."]
    elif set(node) & {"and", "or", "not"}:
        [(op, child)] = node.items() if len(node) == 1 else [("", None)]
        if op == "not":
            check_definition(child, _at(path, op), depth + 1, counter, errors)
        elif op and isinstance(child, list) and child:
            for i, item in enumerate(child):
                check_definition(item, _at(_at(path, op), i), depth + 1, counter, errors)
        else:
            errors[here] = ['Use {"and": [...]} or {"or": [...]} with at least one condition, or {"not": {...}}, '
                            "each alone in its object."]
    else:
        _check_leaf(node, path, errors)
    return errors


class _SegmentFields(Strict):
    @validates_schema
    def _definition(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "definition" in data:
            errors = check_definition(data["definition"])
            if errors:
                raise ValidationError({"definition": errors})


class SegmentCreate(_SegmentFields):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    definition = fields.Dict(required=True, keys=fields.String())


class SegmentUpdate(_SegmentFields):
    name = fields.String(validate=validate.Length(min=1, max=100))
    description = fields.String(allow_none=True, validate=validate.Length(max=1000))
    definition = fields.Dict(keys=fields.String())


class SegmentOut(Strict):
    id = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(allow_none=True)
    definition = fields.Dict(required=True)
    owner_id = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    version = fields.Integer(required=True)


class SegmentListQuery(ListQuery):
    owner_id = fields.String(validate=validate.Length(max=36))


SegmentPage = page_of(SegmentOut, "SegmentPage")
