"""Benchmark: TMS events end to end (published → projected in PostgreSQL) through the service desk,
against a bare nameko handler inserting one row per event, measured in the same run.

    .venv/bin/python bench/bus.py [--events 10000]

Target (foundation issue): CRM throughput ≥ 0.5 × baseline.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crm_contracts.bus import topology  # noqa: E402
from crm_contracts.events import ShipmentBooked, ShipmentException, ShipmentStatusChanged  # noqa: E402
from crm_contracts.testing import infra  # noqa: E402
from crm_contracts.tms.publisher import TmsPublisher  # noqa: E402
from crm_contracts.tms.simulator import burst  # noqa: E402

from tests.system import System  # noqa: E402

SHIPMENT_EVENTS = (ShipmentBooked, ShipmentStatusChanged, ShipmentException)


def shipment_events(n: int) -> list:
    """N shipment events (bookings, status changes, exceptions), built before timing starts."""
    out = []
    for event_cls, body in burst(n * 2, ["BENCH-1", "BENCH-2", "BENCH-3"]):
        if event_cls in SHIPMENT_EVENTS:
            out.append((event_cls, body))
        if len(out) == n:
            return out
    raise RuntimeError("burst produced too few shipment events")


def publish_and_wait(amqp_uri: str, events: list, count_rows, n: int) -> float:
    started = time.perf_counter()
    with TmsPublisher(amqp_uri) as tms:
        for event_cls, body in events:
            tms.publish(event_cls, **body)
    published = time.perf_counter() - started
    while count_rows() < n:
        time.sleep(0.05)
        if time.perf_counter() - started > 600:
            raise TimeoutError(f"only {count_rows()} of {n} events projected")
    elapsed = time.perf_counter() - started
    print(f"    published {n} in {published:.2f}s, all projected after {elapsed:.2f}s")
    return n / elapsed


def wait_consuming(check, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("consumer did not start")
        time.sleep(0.2)


def start_bare_service(amqp_uri: str, database_url: str, workdir: Path) -> subprocess.Popen:
    """The baseline consumer: a bare nameko handler inserting one row per event (bench/bare_service.py)."""
    config = workdir / "config.yaml"
    config.write_text(f"AMQP_URI: '{amqp_uri}'\nmax_workers: 10\n")
    return subprocess.Popen([sys.executable, "-m", "nameko", "run", "--config", str(config),
                             "bench.bare_service:BareService"], cwd=ROOT,
                            env={**os.environ, "BARE_DATABASE_URL": database_url},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def baseline(n: int, events: list, dbs: infra.Databases) -> float:
    url = dbs.create("bare")
    engine = create_engine(url)
    with infra.rabbitmq() as amqp_uri, tempfile.TemporaryDirectory() as tmp:
        process = start_bare_service(amqp_uri, url, Path(tmp))
        try:
            wait_consuming(lambda: _table_exists(engine, "bare_events") and _bound(amqp_uri))
            return publish_and_wait(amqp_uri, events, lambda: _count(engine, "bare_events"), n)
        finally:
            process.terminate()
            process.wait(timeout=20)
            engine.dispose()


def crm(n: int, events: list, dbs: infra.Databases) -> float:
    url = dbs.create("service_desk")
    engine = create_engine(url)
    with infra.rabbitmq() as amqp_uri, tempfile.TemporaryDirectory() as tmp:
        topology.setup(amqp_uri)
        system = System(amqp_uri, {"service_desk": url}, Path(tmp))
        system.start("service_desk")
        try:
            return publish_and_wait(amqp_uri, events, lambda: _count(engine, "shipment_milestones"), n)
        finally:
            system.down()
            retried = (Path(tmp) / "service_desk.log").read_text().count("retrying")
            print(f"    handler retries after conflicts: {retried}")
            engine.dispose()


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def _table_exists(engine, table: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": table}).scalar_one()


def _bound(amqp_uri: str) -> bool:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        connection.channel().queue_declare("evt-tms-shipment.exception--bare.on_exception", passive=True)
        return True
    except Exception:  # noqa: BLE001 - not declared yet
        return False
    finally:
        if connection.is_open:
            connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    events_base = shipment_events(args.events)
    events_crm = shipment_events(args.events)
    with infra.postgres_databases() as dbs:
        print(f"bus benchmark: {args.events} TMS shipment events, PostgreSQL, local RabbitMQ")
        print("  baseline: bare nameko handler, one INSERT per event")
        base = baseline(args.events, events_base, dbs)
        print("  crm: service desk projection (validation, inbox dedupe, shipment upsert, milestone)")
        ours = crm(args.events, events_crm, dbs)
    print(f"baseline {base:,.0f} events/s")
    print(f"crm      {ours:,.0f} events/s")
    print(f"ratio    {ours / base:.2f}x (target >= 0.5x)")


if __name__ == "__main__":
    main()
