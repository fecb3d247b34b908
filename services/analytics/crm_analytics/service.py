"""Analytics service entrypoints."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis.caller import Caller
from crm_contracts.chassis.database import Database
from crm_contracts.chassis.handlers import handles
from crm_contracts.chassis.metrics import Metrics
from crm_contracts.chassis.ops import Operations
from crm_contracts.chassis.rpc import rpc
from crm_contracts.errors import EXPECTED
from crm_contracts.events import AccountCreated, AccountMerged, AccountUpdated, ShipmentBooked

from . import customers, merging
from .models import TABLES


class AnalyticsService(Operations):
    name = "analytics"

    db = Database("analytics", TABLES)
    caller = Caller()
    metrics = Metrics()

    @rpc(expected_exceptions=EXPECTED)
    def get_customer(self, account_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return customers.figures(session, actor, account_id)

    @handles(AccountCreated)
    def on_account_created(self, event: dict[str, Any]) -> None:
        self._apply_account(event, "on_account_created")

    @handles(AccountUpdated)
    def on_account_updated(self, event: dict[str, Any]) -> None:
        self._apply_account(event, "on_account_updated")

    @handles(AccountMerged)
    def on_account_merged(self, event: dict[str, Any]) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], "analytics.on_account_merged"):
                merging.on_account_merged(uow, event)

    @handles(ShipmentBooked)
    def on_shipment_booked(self, event: dict[str, Any]) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], "analytics.on_shipment_booked"):
                customers.record_shipment(uow.session, event)

    def _apply_account(self, event: dict[str, Any], handler: str) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], f"analytics.{handler}"):
                customers.apply_account(uow.session, event)
