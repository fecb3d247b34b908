"""The ``Database`` dependency: one unit of work per entrypoint, with outbox, inbox and the relay.

``with self.db.transaction() as uow:`` commits on a clean exit and rolls back on error; events staged
with ``uow.emit`` are written in that same transaction, and the relay publishes them once committed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import eventlet
from nameko.extensions import DependencyProvider
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from .. import config
from ..errors import Conflict
from ..events.base import Event
from ..identity import Identity
from . import metrics
from .outbox import OutboxTables, backlog, claim, emit, publish_pending
from .publisher import ConfirmingPublisher

log = logging.getLogger(__name__)
RELAY_BATCH = 500
BACKLOG_GAUGE_SECONDS = 5.0

if eventlet.patcher.is_monkey_patched("socket"):
    # psycopg2 blocks the whole process on a query unless told to yield to eventlet.
    from psycogreen.eventlet import patch_psycopg

    patch_psycopg()


def make_engine(url: str, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # No pre-ping: it costs a round trip per transaction. A connection broken by a database restart
    # fails one statement and is discarded with the pool's others; handlers retry, callers get an error.
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=600)


@dataclass
class UnitOfWork:
    session: Session
    tables: OutboxTables
    emitted: list[dict[str, Any]] = field(default_factory=list)

    def emit(self, event_cls: type[Event], *, actor: Identity | None = None, **body: Any) -> dict[str, Any]:
        message = emit(self.session, self.tables, event_cls, actor=actor, **body)
        self.emitted.append(message)
        return message

    def claim(self, event_id: Any, handler: str) -> bool:
        return claim(self.session, self.tables, str(event_id), handler)


class DatabaseAccess:
    """What an entrypoint sees as ``self.db``."""

    def __init__(self, provider: Database) -> None:
        self._provider = provider

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """Commit on a clean exit; a lost optimistic-lock race at commit is a ``Conflict`` (409)."""
        try:
            with self._provider.sessions() as session, session.begin():
                uow = UnitOfWork(session, self._provider.tables)
                yield uow
        except StaleDataError:
            raise Conflict("The record changed while you were saving; reload it and try again.") from None
        if uow.emitted:
            self._provider.kick_relay()

    @contextmanager
    def statements(self) -> Iterator[Connection]:
        """A Core transaction, committed on a clean exit, for a hot path that neither emits events nor
        needs the ORM (the TMS shipment folds): it spares the Session's bookkeeping on every message."""
        with self._provider.engine.begin() as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only transaction on one snapshot: under PostgreSQL's default READ COMMITTED each
        statement would see the latest commits, so a shipment and its milestones read by two statements
        could disagree. Read-only transactions never fail for serialisation."""
        with self._provider.sessions() as session, session.begin():
            if session.get_bind().dialect.name == "postgresql":
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    @property
    def engine(self) -> Engine:
        return self._provider.engine

    def check(self) -> dict[str, Any]:
        return self._provider.check()


class Database(DependencyProvider):
    def __init__(self, component: str, tables: OutboxTables, relay_interval: float = 1.0) -> None:
        self.component = component
        self.tables = tables
        self.relay_interval = relay_interval
        self.engine: Engine | None = None
        self._wake = threading.Event()
        self._running = False

    def setup(self) -> None:
        url = self.container.config.get("DATABASE_URL") or config.database_url(self.component)
        pool = int(self.container.config.get("max_workers", 10)) + 2
        self.engine = make_engine(url, pool_size=pool)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        amqp_uri = self.container.config.get("AMQP_URI") or config.amqp_uri()
        self.publisher = ConfirmingPublisher(amqp_uri)

    def start(self) -> None:
        self._running = True
        self.container.spawn_managed_thread(self._relay_loop)

    def stop(self) -> None:
        self._running = False
        self._wake.set()
        self.publisher.close()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> DatabaseAccess:
        return DatabaseAccess(self)

    def kick_relay(self) -> None:
        self._wake.set()

    def relay_once(self) -> int:
        """Publish everything pending; a full batch means more may wait, a short one that it is done."""
        total = 0
        while self._running:
            sent = publish_pending(self.sessions, self.tables, self.publisher, batch=RELAY_BATCH)
            total += sent
            if sent < RELAY_BATCH:
                break
        return total

    def _measure_backlog(self) -> None:
        with self.sessions() as session:
            metrics.OUTBOX_BACKLOG.labels(self.component).set(backlog(session, self.tables))

    def _relay_loop(self) -> None:
        failures = 0
        measured = 0.0
        while self._running:
            self._wake.wait(self.relay_interval)
            self._wake.clear()
            try:
                self.relay_once()
                failures = 0
                if time.monotonic() - measured >= BACKLOG_GAUGE_SECONDS:
                    # Counted now and then, not after every commit: the count is a query of its own.
                    self._measure_backlog()
                    measured = time.monotonic()
            except Exception:  # noqa: BLE001 - the relay must outlive a broker or database outage
                failures += 1
                log.exception("outbox relay failed (%s in a row); retrying", failures)
                eventlet.sleep(min(0.5 * 2 ** failures, 15))

    def check(self) -> dict[str, Any]:
        with self.sessions() as session:
            session.execute(text("SELECT 1"))
            return {"database": "ok", "outbox_backlog": backlog(session, self.tables)}
