"""Cross-service fixtures: the whole system on a real RabbitMQ vhost and real PostgreSQL databases."""

from __future__ import annotations

import pytest

from tests.system import COMPONENTS, System


@pytest.fixture(scope="session")
def system(amqp_uri, databases, tmp_path_factory):
    urls = {name: databases.create(name) for name in COMPONENTS}
    running = System(amqp_uri, urls, tmp_path_factory.mktemp("system"))
    try:
        running.up()
        yield running
    finally:
        running.down()
