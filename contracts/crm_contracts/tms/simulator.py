"""``crm-tms-sim``: publish realistic TMS events for demos, tests and load.

    crm-tms-sim journey CUSTOMER_CODE [--reference REF]   one shipment from booking to delivery
    crm-tms-sim exception CUSTOMER_CODE REFERENCE --type delay
    crm-tms-sim burst N --customer-code C1 [--customer-code C2 ...]   N mixed events for load
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from .. import config
from ..events.base import Event
from ..events.tms import (
    EXCEPTION_TYPES,
    InvoiceIssued,
    PaymentReceived,
    ShipmentBooked,
    ShipmentException,
    ShipmentStatusChanged,
)
from .publisher import TmsPublisher

LANES = [("CNSHA", "DEHAM", "sea_fcl"), ("CNSZX", "USLAX", "air"), ("CNNGB", "NLRTM", "sea_lcl"),
         ("CNPEK", "CNSHA", "road_ftl"), ("CNCKG", "PLLOD", "rail"), ("HKHKG", "SGSIN", "express")]
JOURNEY = ["picked_up", "departed", "in_transit", "arrived", "customs_cleared", "out_for_delivery",
           "delivered"]


def new_reference() -> str:
    return f"SHP-{uuid.uuid4().hex[:10].upper()}"


def journey(customer_code: str, reference: str | None = None,
            start: datetime | None = None) -> list[tuple[type[Event], dict[str, Any]]]:
    """A shipment's events in the order they happened, one hour apart."""
    reference = reference or new_reference()
    at = start or datetime.now(UTC) - timedelta(hours=len(JOURNEY) + 1)
    origin, destination, mode = random.choice(LANES)
    events: list[tuple[type[Event], dict[str, Any]]] = [(ShipmentBooked, dict(
        occurred_at=at, customer_code=customer_code, reference=reference, mode=mode, origin=origin,
        destination=destination, pieces=random.randint(1, 40),
        weight_kg=Decimal(random.randint(50, 20000)), volume_cbm=Decimal(random.randint(1, 60)),
        eta=at + timedelta(days=20), carrier="SIM LINE"))]
    for step, status in enumerate(JOURNEY, start=1):
        location = origin if step <= 2 else destination
        events.append((ShipmentStatusChanged, dict(
            occurred_at=at + timedelta(hours=step), customer_code=customer_code, reference=reference,
            status=status, location=location, description=status.replace("_", " "))))
    return events


def exception(customer_code: str, reference: str, exception_type: str = "delay") -> dict[str, Any]:
    return dict(customer_code=customer_code, reference=reference, exception_type=exception_type,
                severity="high" if exception_type in ("damage", "loss") else "medium",
                description=f"Simulated {exception_type.replace('_', ' ')}")


def burst(n: int, customer_codes: list[str]) -> Iterator[tuple[type[Event], dict[str, Any]]]:
    """N mixed events: bookings, status changes of the booked shipments, exceptions and invoices."""
    booked: list[tuple[str, str]] = []
    today = date.today()
    for i in range(n):
        code = customer_codes[i % len(customer_codes)]
        roll = random.random()
        if not booked or roll < 0.3:
            reference = new_reference()
            booked.append((code, reference))
            origin, destination, mode = random.choice(LANES)
            yield ShipmentBooked, dict(customer_code=code, reference=reference, mode=mode, origin=origin,
                                       destination=destination, pieces=random.randint(1, 40))
        elif roll < 0.85:
            code, reference = random.choice(booked)
            yield ShipmentStatusChanged, dict(customer_code=code, reference=reference,
                                              status=random.choice(JOURNEY))
        elif roll < 0.9:
            code, reference = random.choice(booked)
            yield ShipmentException, exception(code, reference, random.choice(EXCEPTION_TYPES))
        elif roll < 0.96:
            yield InvoiceIssued, dict(customer_code=code, invoice_number=f"INV-{uuid.uuid4().hex[:8]}",
                                      amount={"amount": Decimal(random.randint(100, 90000)), "currency": "CNY"},
                                      issued_on=today, due_on=today + timedelta(days=30))
        else:
            yield PaymentReceived, dict(customer_code=code, invoice_number=f"INV-{uuid.uuid4().hex[:8]}",
                                        amount={"amount": Decimal(random.randint(100, 9000)), "currency": "CNY"},
                                        received_on=today)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crm-tms-sim", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--amqp-uri", default=config.amqp_uri())
    commands = parser.add_subparsers(dest="command", required=True)
    j = commands.add_parser("journey", help="one shipment from booking to delivery")
    j.add_argument("customer_code")
    j.add_argument("--reference")
    e = commands.add_parser("exception", help="one shipment exception")
    e.add_argument("customer_code")
    e.add_argument("reference")
    e.add_argument("--type", choices=EXCEPTION_TYPES, default="delay")
    b = commands.add_parser("burst", help="N mixed events for load")
    b.add_argument("count", type=int)
    b.add_argument("--customer-code", action="append", required=True)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    sent = 0
    with TmsPublisher(args.amqp_uri) as publisher:
        if args.command == "journey":
            items = journey(args.customer_code, args.reference)
        elif args.command == "exception":
            items = [(ShipmentException, exception(args.customer_code, args.reference, args.type))]
        else:
            items = burst(args.count, args.customer_code)
        for event_cls, body in items:
            message = publisher.publish(event_cls, **body)
            sent += 1
            if args.command != "burst":
                print(f"{event_cls.routing_key} {message.get('reference', '')} {message['event_id']}")
    elapsed = time.perf_counter() - started
    print(f"published {sent} event(s) in {elapsed:.2f}s ({sent / max(elapsed, 1e-9):.0f}/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
