"""Notify service entrypoints."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from crm_contracts.chassis.caller import Caller
from crm_contracts.chassis.database import Database
from crm_contracts.chassis.handlers import handles
from crm_contracts.chassis.metrics import Metrics
from crm_contracts.chassis.ops import Operations
from crm_contracts.chassis.rpc import rpc
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
from crm_contracts.events.sales import (
    ActivityDue,
    ActivityOverdue,
    ContractRenewalDue,
    LeadAssigned,
    LeadImportFinished,
    LeadReleaseWarned,
    LeadTransferred,
    MilestoneDue,
    MilestoneOverdue,
    QuoteAccepted,
    QuoteApprovalRequested,
    QuoteRejected,
)
from crm_contracts.events.service_desk import (
    CustomerAlertRequested,
    TicketAssigned,
    TicketSlaBreached,
    TicketSlaWarning,
)
from crm_contracts.payloads.notifications import NotificationListQuery
from sqlalchemy.orm import Session

from . import accounts, activities, agreements, escalations, inbox, leads, quotes
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

    def _notify(self, event: dict[str, Any], handler: str, apply: Callable[[Session, dict[str, Any]], Any]) -> None:
        """Apply ``event`` once: the inbox claim and the notifications it makes commit together."""
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], f"notify.{handler}"):
                apply(uow.session, event)

    @handles(LeadReleaseWarned)
    def on_lead_release_warned(self, event: dict[str, Any]) -> None:
        self._notify(event, "on_lead_release_warned", leads.release_warned)

    @handles(LeadAssigned)
    def on_lead_assigned(self, event: dict[str, Any]) -> None:
        self._notify(event, "on_lead_assigned", leads.assigned)

    @handles(LeadTransferred)
    def on_lead_transferred(self, event: dict[str, Any]) -> None:
        self._notify(event, "on_lead_transferred", leads.transferred)

    @handles(LeadImportFinished)
    def on_lead_import_finished(self, event: dict[str, Any]) -> None:
        self._notify(event, "on_lead_import_finished", leads.import_finished)

    @handles(QuoteApprovalRequested)
    def on_quote_approval_requested(self, event: dict[str, Any]) -> None:
        self._notify(event, "on_quote_approval_requested", quotes.approval_requested)

    @handles(QuoteAccepted)
    def on_quote_accepted(self, event: dict[str, Any]) -> None:
        self._notify(event, "on_quote_accepted", partial(quotes.answered, kind="quote.accepted"))

    @handles(QuoteRejected)
    def on_quote_rejected(self, event: dict[str, Any]) -> None:
        self._notify(event, "on_quote_rejected", partial(quotes.answered, kind="quote.rejected"))

    @handles(ContractRenewalDue)
    def on_contract_renewal_due(self, event: dict[str, Any]) -> None:
        self._notify(event, "on_contract_renewal_due", agreements.renewal_due)

    @handles(MilestoneDue)
    def on_milestone_due(self, event: dict[str, Any]) -> None:
        self._notify(event, "on_milestone_due", partial(agreements.milestone, kind="milestone.due"))

    @handles(MilestoneOverdue)
    def on_milestone_overdue(self, event: dict[str, Any]) -> None:
        self._notify(event, "on_milestone_overdue", partial(agreements.milestone, kind="milestone.overdue"))

    @handles(ActivityDue)
    def on_activity_due(self, event: dict[str, Any]) -> None:
        self._notify(event, "on_activity_due", partial(activities.reminder, kind="activity.due"))

    @handles(ActivityOverdue)
    def on_activity_overdue(self, event: dict[str, Any]) -> None:
        self._notify(event, "on_activity_overdue", partial(activities.reminder, kind="activity.overdue"))

    @handles(TicketSlaWarning)
    def on_ticket_sla_warning(self, event: dict[str, Any]) -> None:
        self._notify(event, "on_ticket_sla_warning", escalations.warning)

    @handles(TicketSlaBreached)
    def on_ticket_sla_breached(self, event: dict[str, Any]) -> None:
        self._notify(event, "on_ticket_sla_breached", escalations.breached)
