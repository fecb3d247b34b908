"""Given a consumer that cannot process a message, the message is retried a bounded number of times
and then parked where an operator can see and replay it; a malformed message is parked at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pika
import pytest
from crm_contracts.bus import deadletters, topology
from crm_contracts.events import ShipmentBooked
from crm_contracts.testing.waiting import eventually, unique
from crm_contracts.tms.publisher import TmsPublisher

from tests.flaky_service import FLAKY

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def flaky(amqp_uri, tmp_path):
    topology.setup(amqp_uri)  # declares the flaky queue too: the subscription is registered on import
    log = tmp_path / "handled.log"
    log.touch()
    config = tmp_path / "config.yaml"
    config.write_text(f"AMQP_URI: '{amqp_uri}'\n")
    env = {**os.environ, "FLAKY_LOG": str(log), "CRM_MAX_DELIVERY_ATTEMPTS": "3", "CRM_AMQP_URI": amqp_uri}

    def start():
        return subprocess.Popen([sys.executable, "-m", "nameko", "run", "--config", str(config),
                                 "tests.flaky_service:FlakyService"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    processes = []
    yield log, lambda: processes.append(start())
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def handled(log: Path) -> list[str]:
    return log.read_text().split()


def parked_count(amqp_uri: str, expected: int) -> None:
    assert deadletters.depths(amqp_uri)[FLAKY.queue] == expected


def handled_times(log: Path, reference: str, expected: int) -> None:
    assert handled(log).count(reference) == expected


def booked(reference: str) -> dict:
    return dict(customer_code="C-DLQ", reference=reference, mode="air", origin="CNSHA", destination="DEHAM")


def test_a_failing_event_published_before_the_consumer_started_is_retried_then_parked_and_replayable(
        amqp_uri, flaky):
    log, start = flaky
    failing, fine = unique("FAIL"), unique("OK")
    with TmsPublisher(amqp_uri) as tms:
        tms.publish(ShipmentBooked, **booked(failing))  # before any consumer runs
        tms.publish(ShipmentBooked, **booked(fine))

    start()

    eventually(lambda: parked_count(amqp_uri, 1), 30)
    assert handled(log).count(failing) == 3 and handled(log).count(fine) == 1
    [parked] = deadletters.peek(amqp_uri, FLAKY.queue)
    assert parked.reason == "failed" and "cannot handle" in parked.error and failing in parked.body

    assert deadletters.replay(amqp_uri, FLAKY.queue) == 1

    eventually(lambda: handled_times(log, failing, 6), 30)
    eventually(lambda: parked_count(amqp_uri, 1), 30)


def test_a_malformed_event_is_parked_at_once_with_the_reason(amqp_uri, flaky):
    log, start = flaky
    start()
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    connection.channel().basic_publish(
        "tms.events", "shipment.booked", b'{"event_id": "nope", "customer_code": "C-DLQ"}',
        pika.BasicProperties(content_type="application/json", delivery_mode=2))
    connection.close()

    def parked_invalid():
        found = [p for p in deadletters.peek(amqp_uri, FLAKY.queue, 50) if p.reason == "invalid"]
        assert found, "nothing parked yet"
        return found[0]

    parked = eventually(parked_invalid, 30)
    assert "event_id" in parked.error and "reference" in parked.error
    assert handled(log) == []
