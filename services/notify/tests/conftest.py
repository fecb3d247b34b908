"""Unit-test fixtures: notify's schema on a throw-away SQLite file, and the service whose entrypoints the
tests call (claim and effect in one transaction, as in production)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from crm_contracts.chassis.database import DatabaseAccess
from crm_contracts.testing.units import sqlite_sessions
from crm_notify.models import TABLES, Base
from crm_notify.service import NotifyService
from nameko.testing.services import worker_factory
from sqlalchemy.orm import sessionmaker


@pytest.fixture
def sessions(tmp_path) -> Iterator[sessionmaker]:
    with sqlite_sessions(Base.metadata, tmp_path / "notify.db") as made:
        yield made


@pytest.fixture
def service(sessions: sessionmaker) -> NotifyService:
    provider = SimpleNamespace(sessions=sessions, tables=TABLES, kick_relay=lambda: None)
    return worker_factory(NotifyService, db=DatabaseAccess(provider))
