"""Outbox and inbox tables, and the relay that publishes the outbox.

An event is written to ``outbox`` in the same transaction as the change it reports, so it is
published if and only if that transaction committed. Consumers record each ``event_id`` they have
applied in ``inbox`` in the same transaction as the effect, so a redelivery changes nothing.
Plain SQLAlchemy Core: used by nameko services and by the gateway alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .. import jsonio
from ..events.base import Event, build
from ..identity import Identity
from .types import UtcDateTime, utcnow

log = logging.getLogger(__name__)

Publish = Callable[[str, str, str, str], None]  # (exchange, routing_key, body, event_id)


@dataclass(frozen=True)
class OutboxTables:
    outbox: Table
    inbox: Table


def add_outbox_tables(metadata: MetaData) -> OutboxTables:
    """Add ``outbox`` and ``inbox`` to a service's metadata (its Alembic migration creates them)."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("exchange", String(100), nullable=False),
        Column("routing_key", String(100), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("sent_at", UtcDateTime, nullable=True, index=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("handler", String(200), primary_key=True),
        Column("processed_at", UtcDateTime, nullable=False),
    )
    return OutboxTables(outbox=outbox, inbox=inbox)


def emit(session: Session, tables: OutboxTables, event_cls: type[Event], *,
         actor: Identity | None = None, **body: Any) -> dict[str, Any]:
    """Validate an event and stage it in the outbox of the session's transaction."""
    message = build(event_cls, actor=actor, **body)
    session.execute(insert(tables.outbox).values(
        event_id=message["event_id"],
        exchange=event_cls.exchange(),
        routing_key=event_cls.routing_key,
        body=jsonio.dumps(message),
        created_at=utcnow(),
        attempts=0,
    ))
    return message


def claim(session: Session | Connection, tables: OutboxTables, event_id: str, handler: str) -> bool:
    """True the first time ``handler`` sees ``event_id``; False for a redelivery or a racing twin."""
    values = {"event_id": str(event_id), "handler": handler, "processed_at": utcnow()}
    dialect = (session.get_bind() if isinstance(session, Session) else session).dialect.name
    if dialect == "postgresql":
        stmt = postgresql.insert(tables.inbox).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(tables.inbox).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported backends
        raise RuntimeError(f"unsupported database {dialect}")
    return session.execute(stmt).rowcount == 1


def backlog(session: Session, tables: OutboxTables) -> int:
    return session.execute(
        select(func.count()).select_from(tables.outbox).where(tables.outbox.c.sent_at.is_(None))
    ).scalar_one()


def publish_pending(session_factory: Callable[[], Session], tables: OutboxTables, publish: Publish,
                    batch: int = 500) -> int:
    """Publish unsent rows in order; returns how many were sent.

    Rows are locked with SKIP LOCKED on PostgreSQL, so several instances relay without sending one
    row twice. A row is marked sent only after the broker confirmed it.
    """
    t = tables.outbox
    error: Exception | None = None
    with session_factory() as session, session.begin():
        rows = session.execute(
            select(t.c.id, t.c.event_id, t.c.exchange, t.c.routing_key, t.c.body)
            .where(t.c.sent_at.is_(None))
            .order_by(t.c.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        done: list[int] = []
        try:
            for row in rows:
                publish(row.exchange, row.routing_key, row.body, row.event_id)
                done.append(row.id)
        except Exception as exc:  # noqa: BLE001 - recorded on the row, re-raised after the commit
            error = exc
            failed = rows[len(done)].id
            log.warning("outbox publish failed for row %s: %s", failed, exc)
            session.execute(update(t).where(t.c.id == failed)
                            .values(attempts=t.c.attempts + 1, last_error=str(exc)[:2000]))
        if done:
            session.execute(update(t).where(t.c.id.in_(done)).values(sent_at=utcnow()))
    if error is not None and not done:
        raise error
    return len(done)
