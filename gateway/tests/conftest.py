"""Fixtures: a migrated SQLite file per test, the app with recording fakes at the process edges."""

from __future__ import annotations

import shutil
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from crm_gateway import create_app
from crm_gateway.store import users
from crm_gateway.store.db import upgrade
from crm_gateway.store.models import User
from flask import Flask
from flask.testing import FlaskClient

# The helper modules sit beside this file; their import must not depend on pytest's import mode
# (gateway/ is on sys.path through the editable install, which makes tests/ a namespace package).
sys.path.insert(0, str(Path(__file__).parent))

with warnings.catch_warnings():  # eventlet (imported by nameko) warns about itself at import
    warnings.simplefilter("ignore", DeprecationWarning)
    import nameko.containers  # noqa: F401

from gateway_fakes import RecordingPublish, RecordingRpc, RecordingTmsPublisher
from gateway_support import bearer, given_user, runtime_of


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # The production argon2 cost would make every created user take ~100 ms.
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(users, "HASHER", hasher)
    monkeypatch.setattr(users, "_DUMMY_HASH", hasher.hash("not a password"))


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "gateway.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(tmp_path: Path, migrated_template: Path) -> str:
    path = tmp_path / "gateway.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def rpc() -> RecordingRpc:
    return RecordingRpc()


@pytest.fixture
def tms_publisher() -> RecordingTmsPublisher:
    return RecordingTmsPublisher()


@pytest.fixture
def make_app(db_url: str, rpc: RecordingRpc, tms_publisher: RecordingTmsPublisher) -> Iterator[Any]:
    apps: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        config = {"DATABASE_URL": db_url, "OUTBOX_RELAY": False, "TESTING": True,
                  "RATELIMIT_STORAGE_URI": "memory://", **overrides}
        app = create_app(config, rpc=rpc, tms_publisher=tms_publisher, event_publisher=RecordingPublish())
        apps.append(app)
        return app

    yield make
    for app in apps:
        runtime_of(app).db.dispose()


@pytest.fixture
def app(make_app: Any) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def admin(app: Flask) -> User:
    return given_user(app, "root", role="admin")


@pytest.fixture
def as_admin(app: Flask, admin: User) -> dict[str, str]:
    return bearer(app, admin)


@pytest.fixture
def as_rep(app: Flask) -> dict[str, str]:
    return bearer(app, given_user(app, "rep.east", role="sales_rep", region="east", team="t1"))
