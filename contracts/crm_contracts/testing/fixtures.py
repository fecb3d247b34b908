"""pytest fixtures for real infrastructure, shared by every package's tests (see the root conftest.py).

Locally, missing infrastructure skips the tests that need it; with CI=true it fails them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import infra


def _missing(what: str, exc: Exception) -> None:
    if infra.in_ci():
        pytest.fail(f"{what} is required in CI: {exc}", pytrace=False)
    pytest.skip(f"{what} not available: {exc}")


@pytest.fixture(scope="session")
def amqp_uri() -> Iterator[str]:
    """An AMQP URI on a RabbitMQ vhost of this test run's own."""
    manager = infra.rabbitmq()
    try:
        uri = manager.__enter__()
    except infra.InfrastructureMissing as exc:
        _missing("RabbitMQ", exc)
    yield uri
    manager.__exit__(None, None, None)


@pytest.fixture(scope="session")
def databases() -> Iterator[infra.Databases]:
    """Creates PostgreSQL databases for this test run and drops them afterwards."""
    manager = infra.postgres_databases()
    try:
        dbs = manager.__enter__()
    except infra.InfrastructureMissing as exc:
        _missing("PostgreSQL", exc)
    yield dbs
    manager.__exit__(None, None, None)
