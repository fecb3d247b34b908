"""Cross-service fixtures: the whole system on a real RabbitMQ vhost and real PostgreSQL databases."""

from __future__ import annotations

import pytest
from crm_contracts.testing import infra

from tests.system import COMPONENTS, System


def _infrastructure(what: str, exc: Exception):
    if infra.in_ci():
        pytest.fail(f"{what} is required in CI: {exc}", pytrace=False)
    pytest.skip(f"{what} not available: {exc}")


@pytest.fixture(scope="session")
def amqp_uri():
    try:
        manager = infra.rabbitmq()
        uri = manager.__enter__()
    except infra.InfrastructureMissing as exc:
        _infrastructure("RabbitMQ", exc)
    yield uri
    manager.__exit__(None, None, None)


@pytest.fixture(scope="session")
def databases():
    try:
        manager = infra.postgres_databases()
        dbs = manager.__enter__()
    except infra.InfrastructureMissing as exc:
        _infrastructure("PostgreSQL", exc)
    yield dbs
    manager.__exit__(None, None, None)


@pytest.fixture(scope="session")
def system(amqp_uri, databases, tmp_path_factory):
    urls = {name: databases.create(name) for name in COMPONENTS}
    running = System(amqp_uri, urls, tmp_path_factory.mktemp("system"))
    try:
        running.up()
        yield running
    finally:
        running.down()
