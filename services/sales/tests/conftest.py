"""Unit-test support: a fresh SQLite database per test (or, where PostgreSQL takes another path, a
PostgreSQL database of the test's own), a unit of work like the service's, identities and small
factories for the records tests start from."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from crm_contracts.chassis.database import UnitOfWork, make_engine
from crm_contracts.chassis.migrations import upgrade
from crm_contracts.identity import Identity
from crm_contracts.testing.units import sqlite_sessions, unit_of_work
from crm_sales import directory
from crm_sales.models import TABLES, Base
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker


def identity(role: str, region: str | None = "east", team: str | None = None, name: str = "") -> Identity:
    user_id = str(uuid.uuid4())
    return Identity(user_id=user_id, role=role, username=name or f"{role}-{user_id[:4]}", region=region, team=team)


class World:
    """The database and helpers one test works with."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions
        self.engine = sessions.kw["bind"]

    @contextmanager
    def tx(self) -> Iterator[UnitOfWork]:
        with unit_of_work(self.sessions, TABLES) as work:
            yield work

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session

    def events(self, routing_key: str | None = None) -> list[dict[str, Any]]:
        with self.read() as session:
            rows = session.execute(select(TABLES.outbox.c.routing_key, TABLES.outbox.c.body)
                                   .order_by(TABLES.outbox.c.id)).all()
        return [json.loads(r.body) | {"_key": r.routing_key} for r in rows
                if routing_key is None or r.routing_key == routing_key]

    def user(self, who: Identity, active: bool = True) -> Identity:
        """Make ``who`` known to the sales user directory (as the gateway's events would)."""
        with self.tx() as uow:
            directory.apply_user(uow.session, {
                "user_id": who.user_id, "username": who.username, "role": who.role, "region": who.region,
                "team": who.team, "active": active, "occurred_at": datetime.now(UTC)})
        return who

    def account(self, name: str = "Acme Logistics Co., Ltd.", region: str = "east", owner: Identity | None = None,
                team: str | None = None, version: int = 1, phone: str | None = None) -> str:
        account_id = str(uuid.uuid4())
        with self.tx() as uow:
            directory.apply_account(uow.session, {
                "account_id": account_id, "customer_code": f"C{account_id[:8]}", "name": name, "status": "active",
                "tier": "B", "owner_id": owner.user_id if owner else None,
                "team": team or (owner.team if owner else None), "region": region, "industry": None,
                "version": version, "phone": phone, "occurred_at": datetime.now(UTC)})
        return account_id


# For a test of what PostgreSQL does another way (the import's COPY and set-based SQL): it runs on both.
ON_BOTH = pytest.mark.parametrize("world", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def world(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[World]:
    """SQLite; under ``ON_BOTH`` PostgreSQL too, on a new database migrated as the service migrates it."""
    if getattr(request, "param", "sqlite") == "sqlite":
        with sqlite_sessions(Base.metadata, tmp_path / "sales.db") as sessions:
            yield World(sessions)
        return
    url = request.getfixturevalue("databases").create(f"sales_unit_{uuid.uuid4().hex[:8]}")
    upgrade("crm_sales", "sales", url)
    engine = make_engine(url)
    try:
        yield World(sessionmaker(engine, expire_on_commit=False))
    finally:
        engine.dispose()


@pytest.fixture
def admin() -> Identity:
    return identity("admin", region=None, name="admin")


@pytest.fixture
def manager(world: World) -> Identity:
    return world.user(identity("sales_manager", team="east-mgmt", name="manager"))


@pytest.fixture
def rep(world: World) -> Identity:
    return world.user(identity("sales_rep", team="t1", name="rep"))


@pytest.fixture
def teammate(world: World) -> Identity:
    return world.user(identity("sales_rep", team="t1", name="teammate"))


@pytest.fixture
def other_rep(world: World) -> Identity:
    return world.user(identity("sales_rep", team="t2", name="other"))


@pytest.fixture
def west_rep(world: World) -> Identity:
    return world.user(identity("sales_rep", region="west", team="w1", name="west"))
