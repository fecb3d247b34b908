"""Insert-if-absent for both supported backends. (Imports load their rows with COPY themselves:
``importstage``.)"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, model: Any, **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING (both supported backends speak it); True if the row is new."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return session.execute(dialect.insert(model).values(**values).on_conflict_do_nothing()).rowcount == 1
