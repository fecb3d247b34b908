"""Service desk entrypoints."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis import account_view
from crm_contracts.chassis.caller import Caller
from crm_contracts.chassis.database import Database
from crm_contracts.chassis.handlers import handles
from crm_contracts.chassis.metrics import Metrics
from crm_contracts.chassis.ops import Operations
from crm_contracts.chassis.validation import load
from crm_contracts.errors import EXPECTED
from crm_contracts.events import (
    AccountCreated,
    AccountUpdated,
    ShipmentBooked,
    ShipmentException,
    ShipmentStatusChanged,
)
from crm_contracts.payloads.shipments import ShipmentListQuery
from nameko.rpc import rpc

from . import shipments
from .models import TABLES, AccountView


class ServiceDeskService(Operations):
    name = "service_desk"

    db = Database("service_desk", TABLES)
    caller = Caller()
    metrics = Metrics()

    @rpc(expected_exceptions=EXPECTED)
    def get_shipment(self, reference: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return shipments.get(session, actor, reference)

    @rpc(expected_exceptions=EXPECTED)
    def list_shipments(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(ShipmentListQuery, query or {})
        with self.db.reading() as session:
            items, cursor = shipments.list_(session, actor, params)
            return {"items": [shipments.to_out(s) for s in items], "next_cursor": cursor}

    @rpc(expected_exceptions=EXPECTED)
    def account_summary(self, account_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return shipments.account_summary(session, actor, account_id)

    @handles(AccountCreated)
    def on_account_created(self, event: dict[str, Any]) -> None:
        self._apply_account(event, "on_account_created")

    @handles(AccountUpdated)
    def on_account_updated(self, event: dict[str, Any]) -> None:
        self._apply_account(event, "on_account_updated")

    @handles(ShipmentBooked)
    def on_shipment_booked(self, event: dict[str, Any]) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], "service_desk.on_shipment_booked"):
                shipments.booked(uow.session, event)

    @handles(ShipmentStatusChanged)
    def on_shipment_status_changed(self, event: dict[str, Any]) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], "service_desk.on_shipment_status_changed"):
                shipments.status_changed(uow.session, event)

    @handles(ShipmentException)
    def on_shipment_exception(self, event: dict[str, Any]) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], "service_desk.on_shipment_exception"):
                shipments.exception(uow.session, event)

    def _apply_account(self, event: dict[str, Any], handler: str) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], f"service_desk.{handler}"):
                row, _ = account_view.apply(uow.session, AccountView, event)
                shipments.link_account(uow.session, row)
