"""Unit-test support for a service's domain code: its schema on a throw-away SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy.orm import sessionmaker

from ..chassis.database import UnitOfWork, make_engine
from ..chassis.outbox import OutboxTables


@contextmanager
def sqlite_sessions(metadata: MetaData, path: Path) -> Iterator[sessionmaker]:
    """Sessions on a new SQLite file holding ``metadata``'s tables, configured as services run them."""
    engine = make_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    try:
        yield sessionmaker(engine, expire_on_commit=False)
    finally:
        engine.dispose()


@contextmanager
def unit_of_work(sessions: sessionmaker, tables: OutboxTables) -> Iterator[UnitOfWork]:
    """One transaction, as an entrypoint's ``db.transaction()`` gives it (committed on a clean exit)."""
    with sessions() as session, session.begin():
        yield UnitOfWork(session, tables)
