"""Query-string filters shared by the lists: ``?field=value`` for the named columns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select


def where_equal(stmt: Select, model: Any, query: Mapping[str, Any], names: Iterable[str]) -> Select:
    for name in names:
        if query.get(name) is not None:
            stmt = stmt.where(getattr(model, name) == query[name])
    return stmt
