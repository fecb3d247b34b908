"""Real RabbitMQ and PostgreSQL for tests, isolated per run.

Each is found the same way: a URL from the environment if set (``CRM_TEST_AMQP_URI``,
``CRM_TEST_POSTGRES_URL``), else a testcontainers container when a Docker engine answers, else the
local server on this machine. Each run gets its own RabbitMQ vhost and its own databases, removed
afterwards. With ``CI=true`` missing infrastructure is an error, never a skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlsplit, urlunsplit

LOCAL_AMQP = "amqp://guest:guest@127.0.0.1:5672/"
LOCAL_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


class InfrastructureMissing(RuntimeError):
    pass


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def docker_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:  # noqa: BLE001 - no engine, no socket, no permission: all mean "not here"
        return False


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + path, parts.query, parts.fragment))


@contextlib.contextmanager
def rabbitmq() -> Iterator[str]:
    """Yield an AMQP URI on a vhost of its own."""
    if os.environ.get("CRM_TEST_AMQP_URI"):
        yield os.environ["CRM_TEST_AMQP_URI"]
        return
    if docker_available():
        from testcontainers.rabbitmq import RabbitMqContainer

        with RabbitMqContainer("rabbitmq:3.13-alpine") as container:
            params = container.get_connection_params()
            yield f"amqp://guest:guest@{params.host}:{params.port}/"
        return
    if not _port_open("127.0.0.1", 5672):
        raise InfrastructureMissing("no RabbitMQ: set CRM_TEST_AMQP_URI, start Docker, or run a local server "
                                    "(rabbitmq-server -detached)")
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        raise InfrastructureMissing("a local RabbitMQ runs but rabbitmqctl is missing to make a test vhost")
    vhost = f"crm-test-{uuid.uuid4().hex[:10]}"
    subprocess.run([ctl, "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run([ctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True,
                   capture_output=True)
    try:
        yield _with_path(LOCAL_AMQP, quote(vhost, safe=""))
    finally:
        subprocess.run([ctl, "delete_vhost", vhost], check=False, capture_output=True)


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Yield an admin URL (database ``postgres``) of a PostgreSQL server."""
    if os.environ.get("CRM_TEST_POSTGRES_URL"):
        yield os.environ["CRM_TEST_POSTGRES_URL"]
        return
    if docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:15-alpine", driver="psycopg2") as container:
            yield container.get_connection_url()
        return
    if not _port_open("127.0.0.1", 5432):
        raise InfrastructureMissing("no PostgreSQL: set CRM_TEST_POSTGRES_URL, start Docker, or start the local "
                                    "server (pg_ctlcluster ... main start)")
    yield LOCAL_POSTGRES


class Databases:
    """Creates throw-away databases on a server and drops them at ``close``."""

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy import create_engine

        self.admin_url = admin_url
        self._engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.run = uuid.uuid4().hex[:8]
        self.created: list[str] = []

    def create(self, name: str) -> str:
        from sqlalchemy import text

        db = f"crm_test_{self.run}_{name}"
        with self._engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{db}"'))
        self.created.append(db)
        return _with_path(self.admin_url, db)

    def close(self) -> None:
        from sqlalchemy import text

        with self._engine.connect() as conn:
            for db in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        self._engine.dispose()


@contextlib.contextmanager
def postgres_databases() -> Iterator[Databases]:
    with postgres_server() as admin_url:
        dbs = Databases(admin_url)
        try:
            yield dbs
        finally:
            dbs.close()
