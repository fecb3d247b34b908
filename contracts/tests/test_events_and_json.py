import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from crm_contracts import jsonio
from crm_contracts.events import REGISTRY, InvoiceIssued, ShipmentBooked, build, parse
from marshmallow import ValidationError


def test_json_carries_decimal_uuid_and_aware_times_as_plain_values():
    value = {"amount": Decimal("1234.50"), "id": uuid.UUID(int=1),
             "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "on": date(2026, 1, 2)}

    assert jsonio.loads(jsonio.dumps(value)) == {
        "amount": "1234.50", "id": "00000000-0000-0000-0000-000000000001", "at": "2026-01-02T03:04:05Z",
        "on": "2026-01-02"}


def test_json_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        jsonio.dumps({"at": datetime(2026, 1, 1)})


def test_a_built_event_has_the_envelope_and_parses_back_with_typed_values():
    body = build(InvoiceIssued, customer_code="C1", invoice_number="INV-1",
                 amount={"amount": Decimal("99.90"), "currency": "CNY"},
                 issued_on=date(2026, 1, 1), due_on=date(2026, 1, 31))

    event = parse(InvoiceIssued, jsonio.loads(jsonio.dumps(body)))

    assert set(body) >= {"event_id", "occurred_at", "schema_version", "actor"}
    assert event["amount"]["amount"] == Decimal("99.90")
    assert event["occurred_at"].tzinfo is not None


def test_building_an_invalid_event_fails_before_anything_is_sent():
    with pytest.raises(ValidationError) as info:
        build(ShipmentBooked, customer_code="C1", reference="R1", mode="teleport", origin="CNSHA",
              destination="nowhere")
    assert {"mode", "destination"} <= set(info.value.messages)


def test_a_consumer_ignores_fields_it_does_not_know_yet():
    body = build(ShipmentBooked, customer_code="C1", reference="R1", mode="air", origin="CNSHA",
                 destination="DEHAM")
    assert "hovercraft" not in parse(ShipmentBooked, {**body, "hovercraft": "full of eels"})


def test_every_event_class_is_registered_once_under_its_source_and_routing_key():
    assert REGISTRY[("tms", "shipment.booked")] is ShipmentBooked
    assert all(cls.routing_key == key and cls.source == source for (source, key), cls in REGISTRY.items())
