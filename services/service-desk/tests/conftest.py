"""Unit-test fixtures: the service desk's schema on a throw-away SQLite file (or, for what differs there,
a PostgreSQL database of the test's own), a unit of work per test, and ``given``, which makes the people
and records a test starts from and reads back the events."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from crm_contracts import jsonio
from crm_contracts.chassis import account_view
from crm_contracts.chassis.database import UnitOfWork, make_engine
from crm_contracts.identity import Identity
from crm_contracts.testing.units import sqlite_sessions, unit_of_work
from crm_service_desk import agents, contacts, skill_groups, sla, tickets
from crm_service_desk.models import TABLES, AccountView, Base, ContactView, SkillGroup, SlaPolicy, Ticket
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

ADMIN = Identity(user_id=str(uuid.uuid4()), role="admin", username="admin")


@pytest.fixture
def sessions(tmp_path) -> Iterator[sessionmaker]:
    with sqlite_sessions(Base.metadata, tmp_path / "service_desk.db") as made:
        yield made


@pytest.fixture
def pg_sessions(databases) -> Iterator[sessionmaker]:
    """The schema on a new PostgreSQL database (skipped where there is none): full-text search, row locks."""
    engine = make_engine(databases.create(f"service_desk_unit_{uuid.uuid4().hex[:8]}"))
    Base.metadata.create_all(engine)
    try:
        yield sessionmaker(engine, expire_on_commit=False)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_sessions(request) -> sessionmaker:
    """Each test using it runs on both databases."""
    return request.getfixturevalue("sessions" if request.param == "sqlite" else "pg_sessions")


@pytest.fixture
def uow(sessions) -> Iterator[UnitOfWork]:
    with unit_of_work(sessions, TABLES) as work:
        yield work


@pytest.fixture
def given(uow) -> Given:
    return Given(uow)


@pytest.fixture
def admin() -> Identity:
    return ADMIN


class Given:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def account(self, *, code: str | None = None, tier: str = "B", region: str = "east",
                owner_id: str | None = None, team: str | None = None, version: int = 1,
                account_id: str | None = None) -> AccountView:
        row, _ = account_view.apply(self.uow.session, AccountView, {
            "event_id": uuid.uuid4(), "occurred_at": datetime.now(UTC), "account_id": account_id or str(uuid.uuid4()),
            "customer_code": code or f"C-{uuid.uuid4().hex[:6]}", "name": "Acme Logistics", "status": "active",
            "tier": tier, "owner_id": owner_id, "team": team, "region": region, "industry": None, "version": version})
        return row

    @staticmethod
    def user_event(user_id: str | None = None, *, role: str = "service_agent", active: bool = True,
                   region: str | None = "east", at: datetime | None = None, **extra: Any) -> dict[str, Any]:
        user_id = user_id or str(uuid.uuid4())
        return {"event_id": uuid.uuid4(), "occurred_at": at or datetime.now(UTC), "user_id": user_id,
                "username": f"agent-{user_id[:6]}", "role": role, "email": f"{user_id[:6]}@example.com",
                "full_name": None, "region": region, "team": None, "account_id": None, "active": active, **extra}

    def agent(self, **kwargs: Any) -> Identity:
        event = self.user_event(**kwargs)
        agents.apply(self.uow, event)
        return Identity(user_id=event["user_id"], role=event["role"], username=event["username"],
                        region=event["region"])

    def group(self, members: list[Identity], *, capacity: int = 10, name: str | None = None,
              categories: list[str] | None = None, regions: list[str] | None = None) -> SkillGroup:
        return skill_groups.create(self.uow, ADMIN, {
            "name": name or f"group-{uuid.uuid4().hex[:6]}", "description": None, "categories": categories or [],
            "regions": regions or [], "active": True,
            "members": [{"user_id": m.user_id, "capacity": capacity} for m in members]})

    def policy(self, priority: str = "normal", *, tier: str | None = None, first: int = 60, resolution: int = 480,
               calendar: dict | None = None, warn: int = 80) -> SlaPolicy:
        return sla.create(self.uow, ADMIN, {
            "name": f"{priority}-{tier}", "priority": priority, "tier": tier, "first_response_minutes": first,
            "resolution_minutes": resolution, "warn_percent": warn, "calendar": calendar, "active": True})

    @staticmethod
    def contact_event(account: AccountView | None = None, *, contact_id: str | None = None, version: int = 1,
                      name: str = "Li Wei", **extra: Any) -> dict[str, Any]:
        return {"event_id": uuid.uuid4(), "occurred_at": datetime.now(UTC),
                "contact_id": contact_id or str(uuid.uuid4()),
                "account_id": account.account_id if account else str(uuid.uuid4()), "name": name, "title": None,
                "roles": [], "phones": [{"number": "+8613800000000", "kind": "mobile"}], "emails": ["li@example.com"],
                "birthday": None, "preferred_channel": None, "opt_outs": [], "is_primary": False, "version": version,
                **extra}

    def contact(self, account: AccountView, *, deleted: bool = False, **kwargs: Any) -> ContactView:
        return contacts.apply(self.uow.session, self.contact_event(account, **kwargs), deleted=deleted)

    @staticmethod
    def ticket_data(**overrides: Any) -> dict[str, Any]:
        return {"subject": "Where is my container?", "description": "Booked last week, no news.",
                "channel": "phone", "category": "tracking", "priority": None, "account_id": None,
                "contact_id": None, "shipment_reference": None, "tags": [], "attachments": [], **overrides}

    def ticket(self, actor: Identity = ADMIN, **overrides: Any) -> Ticket:
        return tickets.create(self.uow, actor, self.ticket_data(**overrides))

    @staticmethod
    def customer_of(account: AccountView) -> Identity:
        return Identity(user_id=str(uuid.uuid4()), role="customer", username="portal",
                        account_id=account.account_id)

    def events(self, routing_key: str) -> list[dict[str, Any]]:
        """Bodies staged in the outbox under ``routing_key``, oldest first."""
        outbox = TABLES.outbox
        rows = self.uow.session.execute(select(outbox.c.body).where(outbox.c.routing_key == routing_key)
                                        .order_by(outbox.c.id)).all()
        return [jsonio.loads(r[0]) for r in rows]


@pytest.fixture
def service(sessions) -> Any:
    """The real service class with its real database access; the caller is set per test."""
    from types import SimpleNamespace

    from crm_contracts.chassis.database import DatabaseAccess
    from crm_service_desk.service import ServiceDeskService
    from nameko.testing.services import worker_factory

    provider = SimpleNamespace(sessions=sessions, engine=sessions.kw["bind"], tables=TABLES, kick_relay=lambda: None)
    return worker_factory(ServiceDeskService, db=DatabaseAccess(provider),
                          config={"REOPEN_WINDOW_DAYS": 7, "SURVEY_TTL_DAYS": 14})
