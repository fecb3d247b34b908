"""POST /tms/events: validated with the contract schema, then published to tms.events."""

from __future__ import annotations

import uuid

import pika.exceptions
import pytest
from crm_contracts.tms.publisher import UnroutableEvent


def booked(**overrides):
    return {"type": "shipment.booked", "event_id": str(uuid.uuid4()), "occurred_at": "2025-03-01T08:00:00Z",
            "schema_version": 1, "customer_code": "ACME", "reference": "SHA123", "mode": "sea_fcl",
            "origin": "CNSHA", "destination": "DEHAM", "weight_kg": "1200.5", **overrides}


@pytest.fixture
def as_tms(client, as_admin) -> dict[str, str]:
    created = client.post("/api/v1/api-keys", json={"name": "tms", "scopes": ["tms"]}, headers=as_admin)
    return {"X-API-Key": created.get_json()["key"]}


def test_a_valid_event_is_published_with_its_routing_key_and_answers_202(client, as_tms, tms_publisher):
    event = booked()

    response = client.post("/api/v1/tms/events", json=event, headers=as_tms)

    assert response.status_code == 202
    assert response.get_json() == {"event_id": event["event_id"], "type": "shipment.booked", "status": "accepted"}
    [(routing_key, body)] = tms_publisher.published
    assert routing_key == "shipment.booked"
    assert "type" not in body and body["reference"] == "SHA123" and body["weight_kg"] == "1200.5"


def test_the_routing_key_may_come_from_the_header(client, as_tms, tms_publisher):
    event = booked()
    del event["type"]

    response = client.post("/api/v1/tms/events", json=event, headers={**as_tms, "X-Event-Type": "shipment.booked"})

    assert response.status_code == 202
    assert tms_publisher.published[0][0] == "shipment.booked"


@pytest.mark.parametrize("event, headers, field", [
    (booked(origin="Shanghai"), {}, "origin"),
    (booked(colour="red"), {}, "colour"),
    (booked(type="shipment.teleported"), {}, "type"),
    ({k: v for k, v in booked().items() if k != "type"}, {}, "type"),
    (booked(), {"X-Event-Type": "invoice.issued"}, "type"),
])
def test_an_invalid_event_answers_422_with_field_errors_and_publishes_nothing(client, as_tms, tms_publisher,
                                                                               event, headers, field):
    response = client.post("/api/v1/tms/events", json=event, headers={**as_tms, **headers})

    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert tms_publisher.published == []


def test_a_body_that_is_not_json_answers_415(client, as_tms):
    response = client.post("/api/v1/tms/events", data="<xml/>", headers={**as_tms, "Content-Type": "text/xml"})

    assert response.status_code == 415


def test_a_user_without_admin_role_or_tms_scope_is_refused(client, as_rep, tms_publisher):
    response = client.post("/api/v1/tms/events", json=booked(), headers=as_rep)

    assert response.status_code == 403 and tms_publisher.published == []


def test_an_admin_may_post_events_too(client, as_admin, tms_publisher):
    assert client.post("/api/v1/tms/events", json=booked(), headers=as_admin).status_code == 202


@pytest.mark.parametrize("error", [UnroutableEvent("no queue"), pika.exceptions.AMQPConnectionError("down")])
def test_a_broker_that_cannot_take_the_event_answers_503_and_reconnects_next_time(client, as_tms, tms_publisher,
                                                                                  error):
    tms_publisher.error = error

    response = client.post("/api/v1/tms/events", json=booked(), headers=as_tms)

    assert response.status_code == 503
    assert tms_publisher.closed == 1
