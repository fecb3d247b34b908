"""Benchmark: the service desk on PostgreSQL and a real broker, with the baseline measured in the same run.

    .venv/bin/python bench/service_desk.py [--events 100000] [--rounds 2] [--lag-seconds 20] [--exceptions 1000]

1. TMS ingest: mixed shipment events (bookings, status changes, exceptions) through the bus into the
   shipments projection, against a bare nameko handler inserting one row per event (bench/bus.py's
   phases). Target: >= 0.5x the baseline rate.
2. Lag from publish to visible through the gateway (GET /shipments/{reference}) at half the measured
   rate. Target: p99 <= 100 ms.
3. A burst of exceptions, every one delivered twice, into two service desk instances. Target:
   exactly one ticket per exception, each assigned once, no agent over capacity.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pika
import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crm_contracts.bus import topology  # noqa: E402
from crm_contracts.events import ShipmentBooked, ShipmentException, ShipmentStatusChanged, build  # noqa: E402
from crm_contracts.testing import infra  # noqa: E402
from crm_contracts.testing.waiting import eventually  # noqa: E402
from crm_contracts.tms.publisher import TmsPublisher  # noqa: E402

from bench import bus  # noqa: E402
from tests.api import Api  # noqa: E402
from tests.system import System, free_port  # noqa: E402

EXCEPTION_QUEUE = "evt-tms-shipment.exception--service_desk.on_shipment_exception"


BARE_QUEUES = {f"evt-tms-{rk}--bare.{method}": rk for rk, method in (
    ("shipment.booked", "on_booked"), ("shipment.status_changed", "on_status"), ("shipment.exception", "on_exception"))}


def _backlog(amqp_uri: str, events: list) -> float:
    """Publish every event before any consumer runs; returns the publish rate."""
    started = time.perf_counter()
    with TmsPublisher(amqp_uri) as tms:
        for event_cls, body in events:
            tms.publish(event_cls, **body)
    return len(events) / (time.perf_counter() - started)


def _drain_rate(count, n: int) -> float:
    """Events per second from the first row to the last, while a consumer works off a backlog of ``n``."""
    while (first := count()) == 0:
        time.sleep(0.01)
    started = time.perf_counter()
    while (done := count()) < n:
        if time.perf_counter() - started > 1800:
            raise TimeoutError(f"only {done} of {n} events consumed")
        time.sleep(0.05)
    return (n - first) / (time.perf_counter() - started)


def _bare_rate(n: int, events: list, dbs: infra.Databases, run: int) -> float:
    url = dbs.create(f"bare_{run}")
    engine = create_engine(url)
    with infra.rabbitmq() as amqp_uri, tempfile.TemporaryDirectory() as tmp:
        connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
        channel = connection.channel()
        channel.exchange_declare("tms.events", "topic", durable=True, auto_delete=False)
        for queue, routing_key in BARE_QUEUES.items():  # declared as nameko will, so the backlog waits
            channel.queue_declare(queue, durable=True)
            channel.queue_bind(queue, "tms.events", routing_key=routing_key)
        connection.close()
        print(f"   backlog published at {_backlog(amqp_uri, events):,.0f}/s; starting the bare handler")
        process = bus.start_bare_service(amqp_uri, url, Path(tmp))
        try:
            return _drain_rate(lambda: bus._count(engine, "bare_events") if bus._table_exists(engine, "bare_events")
                               else 0, n)
        finally:
            process.terminate()
            process.wait(timeout=20)
            engine.dispose()


def _desk_rate(n: int, events: list, dbs: infra.Databases, run: int) -> float:
    url = dbs.create(f"service_desk_{run}")
    engine = create_engine(url)
    with infra.rabbitmq() as amqp_uri, tempfile.TemporaryDirectory() as tmp:
        topology.setup(amqp_uri)
        print(f"   backlog published at {_backlog(amqp_uri, events):,.0f}/s; starting the service desk")
        system = System(amqp_uri, {"service_desk": url}, Path(tmp))
        system.start("service_desk", wait=False)
        try:
            return _drain_rate(lambda: _scalar(engine, "SELECT count(*) FROM shipment_milestones")
                               if bus._table_exists(engine, "shipment_milestones") else 0, n)
        finally:
            system.down()
            engine.dispose()


def ingest(n: int, rounds: int, dbs: infra.Databases) -> float:
    """Baseline and service desk take turns, ``rounds`` times, so a change in the machine's load
    (it is shared) weighs on both; the rates are totals over all rounds."""
    print(f"1. TMS ingest: {n:,} mixed shipment events per system from a backlog on the bus, {rounds} rounds")
    per_round, times = n // rounds, {"base": 0.0, "desk": 0.0}
    for run in range(rounds):
        base = _bare_rate(per_round, bus.shipment_events(per_round), dbs, run)
        desk = _desk_rate(per_round, bus.shipment_events(per_round), dbs, run)
        times["base"] += per_round / base
        times["desk"] += per_round / desk
        print(f"   round {run + 1}: baseline {base:,.0f}/s, service desk {desk:,.0f}/s, ratio {desk / base:.2f}x")
    base, ours = per_round * rounds / times["base"], per_round * rounds / times["desk"]
    print(f"   baseline (bare nameko handler, one INSERT per event)  {base:8,.0f} events/s")
    print(f"   service desk (validate, inbox, upsert + milestone, exception tickets)  {ours:8,.0f} events/s")
    print(f"   ratio {ours / base:.2f}x (target >= 0.5x)")
    return ours


def _booking(reference: str) -> dict:
    return build(ShipmentBooked, customer_code="LAG-1", reference=reference, mode="air", origin="CNSZX",
                 destination="USLAX", occurred_at=datetime.now(UTC))


def lag(system: System, rate: float, seconds: float, sample_every: int = 25) -> None:
    """Publish at ``rate`` for ``seconds``; every ``sample_every``-th event is a fresh booking whose
    reference is polled through the gateway every 5 ms until it answers 200 (sampling keeps the polling
    itself from loading the service it measures)."""
    print(f"2. Lag publish -> visible through the gateway at {rate:,.0f} events/s for {seconds:.0f}s")
    token = Api.login(system.gateway_url, "admin", system.admin_password).http.headers["Authorization"]
    local = threading.local()

    def visible_after(reference: str, published: float) -> float:
        if not hasattr(local, "http"):
            local.http = requests.Session()
            local.http.headers["Authorization"] = token
        url = f"{system.gateway_url}/api/v1/shipments/{reference}"
        while time.perf_counter() - published < 10:
            time.sleep(0.005)
            if local.http.get(url, timeout=5).status_code == 200:
                return time.perf_counter() - published
        raise TimeoutError(f"{reference} not visible after 10 s")

    booked: list[str] = []
    futures = []
    with TmsPublisher(system.amqp_uri) as tms, concurrent.futures.ThreadPoolExecutor(64) as pool:
        started, total = time.perf_counter(), int(rate * seconds)
        for i in range(total):
            time.sleep(max(0.0, started + i / rate - time.perf_counter()))
            if i % sample_every == 0 or not booked:
                reference = f"LAG-{uuid.uuid4().hex[:10]}"
                published = time.perf_counter()
                tms.publish_raw("shipment.booked", _booking(reference))
                booked.append(reference)
                if i % sample_every == 0:
                    futures.append(pool.submit(visible_after, reference, published))
            else:
                tms.publish(ShipmentStatusChanged, customer_code="LAG-1", reference=booked[i % len(booked)],
                            status="in_transit", occurred_at=datetime.now(UTC))
        achieved = total / (time.perf_counter() - started)
        lags = sorted(f.result() * 1000 for f in futures)
    p50, p99 = statistics.median(lags), lags[int(len(lags) * 0.99) - 1]
    print(f"   published {total:,} at {achieved:,.0f}/s; {len(lags)} sampled bookings")
    print(f"   lag p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {lags[-1]:.1f} ms (target p99 <= 100 ms)")


def _agents_and_group(system: System, count: int, capacity: int) -> tuple[str, list[str]]:
    admin = Api.login(system.gateway_url, "admin", system.admin_password)
    ids = []
    for _ in range(count):
        user = admin.post("/users", {"username": f"bench-{uuid.uuid4().hex[:8]}", "password": "Bench-pass-1234",
                                     "role": "service_agent", "region": "east"})
        ids.append(user.json()["id"])
    code = f"EXC-{uuid.uuid4().hex[:6]}".upper()
    created = admin.post("/accounts", {"customer_code": code, "name": f"Burst Co {code}", "region": "east"})
    assert created.status_code == 201, created.text

    def group() -> None:
        answer = admin.post("/skill-groups", {"name": f"burst-{uuid.uuid4().hex[:6]}", "categories": ["exception"],
                                              "members": [{"user_id": i, "capacity": capacity} for i in ids]})
        assert answer.status_code == 201, answer.text

    eventually(group, timeout=30, interval=0.2)
    return code, ids


def _exception_queue_empty(amqp_uri: str) -> bool:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        return connection.channel().queue_declare(EXCEPTION_QUEUE, passive=True).method.message_count == 0
    finally:
        connection.close()


def burst(system: System, n: int, agents: int = 10) -> None:
    print(f"3. {n:,} exceptions in a burst, each delivered twice, two service desk instances")
    capacity = n // agents + 50
    code, agent_ids = _agents_and_group(system, agents, capacity)
    second = _second_instance(system)
    engine = create_engine(system.database_urls["service_desk"])
    known = "SELECT count(*) FROM account_view WHERE customer_code = :c"
    eventually(lambda: _expect(_scalar(engine, known, c=code), 1), timeout=30)
    run = uuid.uuid4().hex[:6]
    events = [build(ShipmentException, customer_code=code, reference=f"B{run}-{i}", exception_type="delay",
                    severity="high", description="Port congestion", occurred_at=datetime.now(UTC)) for i in range(n)]
    try:
        started = time.perf_counter()
        with TmsPublisher(system.amqp_uri) as tms:
            for event in events + events:
                tms.publish_raw("shipment.exception", event)
        published = time.perf_counter() - started
        like = f"B{run}-%"
        done = "SELECT count(*) FROM tickets WHERE shipment_reference LIKE :p AND assignee_id IS NOT NULL"
        eventually(lambda: _expect(_scalar(engine, done, p=like), n) and _expect(
            _exception_queue_empty(system.amqp_uri), True), timeout=600, interval=0.1)
        elapsed = time.perf_counter() - started
        time.sleep(2)  # let any duplicate still in flight land before counting
        _check_burst(engine, like, n, capacity)
    finally:
        second.terminate()
        second.wait(timeout=20)
        engine.dispose()
    print(f"   published {2 * n:,} in {published:.2f}s; {n:,} tickets, all assigned, after {elapsed:.2f}s "
          f"({n / elapsed:,.0f} tickets/s)")


def _check_burst(engine, like: str, n: int, capacity: int) -> None:
    tickets = _scalar(engine, "SELECT count(*) FROM tickets WHERE shipment_reference LIKE :p", p=like)
    distinct = _scalar(engine, "SELECT count(DISTINCT shipment_reference) FROM tickets WHERE shipment_reference "
                               "LIKE :p", p=like)
    assigned_events = _scalar(engine, "SELECT count(*) FROM outbox WHERE routing_key = 'ticket.assigned' AND "
                                      "body LIKE :p", p=f'%"shipment_reference":"{like}"%')
    alerts = _scalar(engine, "SELECT count(*) FROM outbox WHERE routing_key = 'customer.alert_requested' AND "
                             "body LIKE :p", p=f'%"shipment_reference":"{like}"%')
    heaviest = _scalar(engine, "SELECT max(c) FROM (SELECT count(*) c FROM tickets WHERE shipment_reference LIKE :p "
                               "GROUP BY assignee_id) loads", p=like)
    print(f"   tickets {tickets:,} (distinct shipments {distinct:,}), ticket.assigned events {assigned_events:,}, "
          f"customer alerts {alerts:,}, busiest agent {heaviest} (capacity {capacity})")
    verdict = tickets == distinct == assigned_events == alerts == n and heaviest <= capacity
    print(f"   {'PASS' if verdict else 'FAIL'}: exactly one ticket per exception, each assigned once")


def _second_instance(system: System) -> subprocess.Popen:
    env = {**system.env(), "CRM_SERVICE_DESK_HTTP_ADDRESS": f"127.0.0.1:{free_port()}"}
    log = open(system.workdir / "service_desk_2.log", "ab")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen([str(Path(sys.executable).parent / "crm-service-desk"), "run", "--no-migrate"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _expect(actual: object, expected: object) -> bool:
    assert actual == expected, f"{actual} != {expected}"
    return True


def _scalar(engine, sql: str, **params) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one() or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--lag-seconds", type=float, default=20)
    parser.add_argument("--exceptions", type=int, default=1000)
    args = parser.parse_args()
    with infra.postgres_databases() as dbs:
        rate = ingest(args.events, args.rounds, dbs)
        urls = {name: dbs.create(f"{name}_sys") for name in ("service_desk", "gateway", "customer")}
        with infra.rabbitmq() as amqp_uri, tempfile.TemporaryDirectory() as tmp:
            topology.setup(amqp_uri)
            system = System(amqp_uri, urls, Path(tmp))
            try:
                for name in ("service_desk", "customer", "gateway"):
                    system.start(name)
                lag(system, rate / 2, args.lag_seconds)
                burst(system, args.exceptions)
            finally:
                system.down()


if __name__ == "__main__":
    main()
