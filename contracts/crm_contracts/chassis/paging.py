"""Keyset (cursor) pagination with ``?sort=field,-other``, the same for every list of every service.

The cursor is the last row's sort values and id, so pages stay stable while rows are added and
deep pages cost the same as the first.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..errors import ValidationFailed


def parse_sort(sort: str | None, allowed: Mapping[str, InstrumentedAttribute],
               default: Sequence[str]) -> list[tuple[str, bool]]:
    """``"name,-created_at"`` → ``[("name", False), ("created_at", True)]`` (True = descending)."""
    keys = [k.strip() for k in (sort.split(",") if sort else default) if k.strip()]
    parsed = []
    for key in keys:
        name = key.lstrip("-+")
        if name not in allowed:
            raise ValidationFailed(errors={"sort": [f"Cannot sort by '{name}'. Use one of: "
                                                    f"{', '.join(sorted(allowed))}."]})
        parsed.append((name, key.startswith("-")))
    return parsed


def _encode(values: list[Any]) -> str:
    plain = [{"$dt": v.isoformat()} if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str, width: int) -> list[Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != width:
            raise ValueError("shape")
        return [datetime.fromisoformat(v["$dt"]) if isinstance(v, dict) else v for v in raw]
    except (ValueError, TypeError, KeyError):
        raise ValidationFailed(errors={"cursor": ["Not a cursor this list gave out."]}) from None


def paginate(session: Session, stmt: Select, *, id_column: InstrumentedAttribute,
             allowed_sorts: Mapping[str, InstrumentedAttribute], default_sort: Sequence[str],
             sort: str | None, cursor: str | None, limit: int,
             params: Mapping[str, Any] | None = None) -> tuple[list[Any], str | None]:
    """A page of ``stmt``'s rows and the cursor of the next; ``params`` fill its bind parameters."""
    order = parse_sort(sort, allowed_sorts, default_sort)
    columns = [allowed_sorts[name] for name, _ in order] + [id_column]
    descending = [desc for _, desc in order] + [False]
    if cursor:
        values = _decode(cursor, len(columns))
        clauses = []
        for i, (column, value) in enumerate(zip(columns, values, strict=True)):
            equal_before = [columns[j] == values[j] for j in range(i)]
            step = column < value if descending[i] else column > value
            clauses.append(and_(*equal_before, step))
        stmt = stmt.where(or_(*clauses))
    stmt = stmt.order_by(*[c.desc() if d else c.asc() for c, d in zip(columns, descending, strict=True)])
    rows = session.scalars(stmt.limit(limit + 1), params).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode([getattr(last, c.key) for c in columns])
    return list(rows), next_cursor
