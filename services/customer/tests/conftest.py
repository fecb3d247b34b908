"""Unit-test fixtures: the customer schema on a throw-away SQLite file, a unit of work per test, and
``given``, which makes the people and records a test starts from and reads back the events."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.identity import Identity
from crm_contracts.payloads.accounts import AccountCreate
from crm_contracts.payloads.contacts import ContactCreate
from crm_contracts.payloads.fields import uscc_check_char
from crm_contracts.testing.units import sqlite_sessions, unit_of_work
from crm_customer import accounts, contacts
from crm_customer.models import TABLES, Account, Base, Contact
from sqlalchemy.orm import sessionmaker


@pytest.fixture
def sessions(tmp_path) -> Iterator[sessionmaker]:
    with sqlite_sessions(Base.metadata, tmp_path / "customer.db") as made:
        yield made


@pytest.fixture
def uow(sessions) -> Iterator[UnitOfWork]:
    with unit_of_work(sessions, TABLES) as work:
        yield work


@pytest.fixture
def given(uow) -> Given:
    return Given(uow)


@pytest.fixture
def admin(given) -> Identity:
    return given.person("admin", region=None, team=None)


@pytest.fixture
def rep(given) -> Identity:
    return given.person("sales_rep")


@pytest.fixture
def manager(given) -> Identity:
    return given.person("sales_manager", team=None)


@pytest.fixture
def finance(given) -> Identity:
    return given.person("finance", region=None, team=None)


_serial = itertools.count(1)


class Given:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    @staticmethod
    def tax_id(seed: int) -> str:
        """A unified social credit code with a correct check character."""
        first17 = f"91310000{seed:09d}"
        return first17 + uscc_check_char(first17)

    @staticmethod
    def person(role: str, region: str | None = "east", team: str | None = "t1", **extra: Any) -> Identity:
        return Identity(user_id=str(uuid.uuid4()), role=role, username=f"{role}-{next(_serial)}",
                        region=region, team=team, **extra)

    def account(self, actor: Identity, **fields: Any) -> Account:
        """An account created through the real path (schema + domain), near-duplicates allowed."""
        n = next(_serial)
        payload = {"customer_code": f"C{n:05d}", "name": f"Firm {n} {uuid.uuid4().hex[:8]}", "region": "east",
                   **fields}
        return accounts.create(self.uow, actor, AccountCreate().load(payload), allow_duplicate=True)

    def contact(self, actor: Identity, account: Account, **fields: Any) -> Contact:
        return contacts.create(self.uow, actor, account.id, ContactCreate().load({"name": "Li Lei", **fields}))

    def events(self, routing_key: str) -> list[dict[str, Any]]:
        """Bodies of the events of one kind this unit of work staged in the outbox, oldest first."""
        return [m for m in self.uow.emitted if self._key(m) == routing_key]

    def _key(self, message: dict[str, Any]) -> str:
        row = self.uow.session.execute(TABLES.outbox.select().where(
            TABLES.outbox.c.event_id == str(message["event_id"]))).one()
        return row.routing_key
