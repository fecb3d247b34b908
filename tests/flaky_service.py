"""A test-only service whose handler fails on purpose, to prove retries and dead-lettering."""

from __future__ import annotations

import os
from typing import Any

from crm_contracts.bus import subscriptions
from crm_contracts.chassis.handlers import handles
from crm_contracts.events import ShipmentBooked

FLAKY = subscriptions.Subscription("flaky", "on_shipment_booked", ShipmentBooked)
if FLAKY not in subscriptions.SUBSCRIPTIONS:
    subscriptions.SUBSCRIPTIONS = (*subscriptions.SUBSCRIPTIONS, FLAKY)


class FlakyService:
    name = "flaky"

    @handles(ShipmentBooked)
    def on_shipment_booked(self, event: dict[str, Any]) -> None:
        with open(os.environ["FLAKY_LOG"], "a") as log:
            log.write(event["reference"] + "\n")
        if event["reference"].startswith("FAIL"):
            raise RuntimeError(f"cannot handle {event['reference']}")
