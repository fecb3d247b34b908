"""A segment definition (AND / OR / NOT over tags and fields) as one SQL condition on ``accounts``.

The tree was validated against ``crm_contracts.payloads.segments`` when saved. Every leaf is
two-valued (a missing value counts as "does not match"), so NOT means what a person expects.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm_contracts.errors import NotFound
from crm_contracts.payloads.segments import CUSTOM_PREFIX, field_kind
from sqlalchemy import String, and_, cast, exists, false, func, not_, or_, select
from sqlalchemy.orm import Session

from .models import Account, AccountLine, AccountTag, Credit, Segment

COMPARE = {"gt": "__gt__", "gte": "__ge__", "lt": "__lt__", "lte": "__le__", "eq": "__eq__", "ne": "__ne__"}


def definition_of(session: Session, segment_id: Any) -> dict[str, Any]:
    definition = session.scalar(select(Segment.definition).where(Segment.id == str(segment_id)))
    if definition is None:
        raise NotFound(f"Segment {segment_id} was not found.")
    return definition


def _column(name: str) -> Any:
    if name.startswith(CUSTOM_PREFIX):
        # Compared as text on both backends (SQLite's JSON_EXTRACT would return numbers as numbers).
        return cast(Account.custom_attributes[name[len(CUSTOM_PREFIX):]].as_string(), String)
    return getattr(Account, name)


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _leaf(name: str, op: str, value: Any) -> Any:
    kind, _ = field_kind(name)
    if kind == "label":
        return Account.line_rows.any(AccountLine.line.in_(value if op == "in" else [value]))
    if kind == "flag":
        on = exists(select(Credit.account_id).where(Credit.account_id == Account.id, getattr(Credit, name).is_(True)))
        return on if value else not_(on)
    column = _column(name)
    if op == "is_null":
        return column.is_(None) if value else column.is_not(None)
    if op == "in":
        clause = column.in_(value)
    elif op == "not_in":
        clause = or_(column.is_(None), column.not_in(value))
    elif op == "contains":
        clause = func.lower(column).contains(value.lower(), autoescape=True)
    elif op == "ne":
        clause = or_(column.is_(None), column != value)
    else:
        clause = getattr(column, COMPARE[op])(_time(value) if kind == "time" else value)
    return func.coalesce(clause, false())


def condition(node: dict[str, Any]) -> Any:
    if "and" in node:
        return and_(*[condition(child) for child in node["and"]])
    if "or" in node:
        return or_(*[condition(child) for child in node["or"]])
    if "not" in node:
        return not_(condition(node["not"]))
    if "tag" in node:
        return Account.tag_rows.any(AccountTag.tag == node["tag"])
    return _leaf(node["field"], node["op"], node["value"])
