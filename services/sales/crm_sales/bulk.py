"""Set-based inserts for imports: PostgreSQL COPY (an order of magnitude above row-by-row INSERT),
plain executemany elsewhere. Rows are tuples in the order of ``columns``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
    if session.get_bind().dialect.name != "postgresql":
        session.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")  # C-speed quoting; an empty unquoted field is NULL
    if json_at:
        rows = [_with_json(row, json_at) for row in rows]
    writer.writerows(rows)
    buffer.seek(0)
    session.flush()
    cursor = session.connection().connection.cursor()
    try:
        cursor.copy_expert(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)
    finally:
        cursor.close()


def _with_json(row: Sequence[Any], json_at: list[int]) -> list[Any]:
    out = list(row)
    for i in json_at:
        value = out[i]
        if value is not None:
            out[i] = json.dumps(value, ensure_ascii=False) if value else ("[]" if isinstance(value, list) else "{}")
    return out


def insert_ignore(session: Session, model: Any, **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING (both supported backends speak it); True if the row is new."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return session.execute(dialect.insert(model).values(**values).on_conflict_do_nothing()).rowcount == 1
