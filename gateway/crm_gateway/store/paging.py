"""Keyset (cursor) pagination for the gateway's own lists, in the shape every service answers.

The cursor is an opaque token holding the sort value and id of the last row, so a page never
skips or repeats rows when rows are added meanwhile.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from crm_contracts.errors import ValidationFailed
from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session


def _encode(value: Any, row_id: str) -> str:
    if isinstance(value, datetime):
        value = {"dt": value.isoformat()}
    raw = json.dumps([value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, row_id = json.loads(raw)
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["dt"])
        return value, str(row_id)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValidationFailed(errors={"cursor": ["Not a cursor this list gave out."]}) from exc


def sort_column(model: type, sort: str | None, allowed: tuple[str, ...], default: str
                ) -> tuple[InstrumentedAttribute[Any], bool]:
    """Resolve ``?sort=name`` / ``-name`` against the allowed columns; returns (column, descending)."""
    spec = (sort or default).strip()
    name = spec.lstrip("-")
    if name not in allowed or "," in spec:
        raise ValidationFailed(errors={"sort": [f"Sort by one of: {', '.join(allowed)} (prefix - for descending)."]})
    return getattr(model, name), spec.startswith("-")


def page(session: Session, stmt: Select[Any], *, column: InstrumentedAttribute[Any],
         id_column: InstrumentedAttribute[Any], descending: bool, limit: int, cursor: str | None
         ) -> tuple[list[Any], str | None]:
    """One page of ``stmt`` ordered by (column, id); returns (rows, next_cursor or None)."""
    if cursor:
        value, last_id = _decode(cursor)
        if descending:
            after = or_(column < value, and_(column == value, id_column < last_id))
        else:
            after = or_(column > value, and_(column == value, id_column > last_id))
        stmt = stmt.where(after)
    order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
    rows = list(session.scalars(stmt.order_by(*order).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, _encode(getattr(last, column.key), getattr(last, id_column.key))
