"""Notify service entrypoints."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis.caller import Caller
from crm_contracts.chassis.database import Database
from crm_contracts.chassis.handlers import handles
from crm_contracts.chassis.metrics import Metrics
from crm_contracts.chassis.ops import Operations
from crm_contracts.chassis.validation import load
from crm_contracts.errors import EXPECTED
from crm_contracts.events import (
    AccountCreated,
    AccountMerged,
    AccountUpdated,
    UserCreated,
    UserDeactivated,
    UserUpdated,
)
from crm_contracts.events.service_desk import CustomerAlertRequested, TicketAssigned
from crm_contracts.payloads.notifications import NotificationListQuery
from nameko.rpc import rpc

from . import accounts, inbox
from .models import TABLES


class NotifyService(Operations):
    name = "notify"

    db = Database("notify", TABLES)
    caller = Caller()
    metrics = Metrics()

    @rpc(expected_exceptions=EXPECTED)
    def list_notifications(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(NotificationListQuery, query or {})
        with self.db.reading() as session:
            items, cursor = inbox.list_for(session, actor, params)
            return {"items": [inbox.to_out(n) for n in items], "next_cursor": cursor}

    @rpc(expected_exceptions=EXPECTED)
    def mark_read(self, notification_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.transaction() as uow:
            return inbox.to_out(inbox.mark_read(uow.session, actor, notification_id))

    @handles(AccountCreated)
    def on_account_created(self, event: dict[str, Any]) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], "notify.on_account_created"):
                inbox.on_account_created(uow.session, event)

    @handles(AccountUpdated)
    def on_account_updated(self, event: dict[str, Any]) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], "notify.on_account_updated"):
                accounts.apply(uow.session, event)

    @handles(AccountMerged)
    def on_account_merged(self, event: dict[str, Any]) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], "notify.on_account_merged"):
                accounts.on_account_merged(uow, event)

    @handles(TicketAssigned)
    def on_ticket_assigned(self, event: dict[str, Any]) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], "notify.on_ticket_assigned"):
                inbox.ticket_assigned(uow.session, event)

    @handles(CustomerAlertRequested)
    def on_customer_alert_requested(self, event: dict[str, Any]) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], "notify.on_customer_alert_requested"):
                inbox.customer_alert(uow.session, event)

    @handles(UserCreated)
    def on_user_created(self, event: dict[str, Any]) -> None:
        self._directory(event, "on_user_created")

    @handles(UserUpdated)
    def on_user_updated(self, event: dict[str, Any]) -> None:
        self._directory(event, "on_user_updated")

    @handles(UserDeactivated)
    def on_user_deactivated(self, event: dict[str, Any]) -> None:
        self._directory(event, "on_user_deactivated")

    def _directory(self, event: dict[str, Any], handler: str) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], f"notify.{handler}"):
                inbox.upsert_recipient(uow.session, event)
