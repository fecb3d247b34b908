"""How a ticket change is recorded: the audit trail and a ``ticket.*`` event carrying the snapshot."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.events import Event
from crm_contracts.events.service_desk import TicketUpdated
from crm_contracts.identity import Identity

from . import records
from .models import Ticket

AUDITED = ("subject", "description", "channel", "category", "priority", "status", "account_id", "contact_id",
           "shipment_reference", "group_id", "assignee_id", "tags", "attachments", "resolution", "root_cause",
           "reopen_count", "first_responded_at", "resolved_at", "closed_at", "paused_at", "csat", "nps",
           "first_response_warned", "first_response_breached", "resolution_warned", "resolution_breached")
SNAPSHOT = ("subject", "channel", "category", "priority", "status", "account_id", "customer_code", "contact_id",
            "requester_id", "shipment_reference", "region", "group_id", "assignee_id", "root_cause",
            "reopen_count", "created_at", "first_responded_at", "resolved_at", "closed_at",
            "first_response_due_at", "resolution_due_at", "version")


def state(ticket: Ticket) -> dict[str, Any]:
    return records.state(ticket, AUDITED)


def snapshot(ticket: Ticket) -> dict[str, Any]:
    return {"ticket_id": ticket.id, **records.state(ticket, SNAPSHOT)}


def save(uow: UnitOfWork, actor: Identity | None, ticket: Ticket, action: str, before: dict[str, Any],
         event_cls: type[Event] = TicketUpdated, extra: dict[str, Any] | None = None,
         **event_fields: Any) -> dict[str, Any] | None:
    """Audit the change since ``before`` and publish ``event_cls`` with the new snapshot."""

    def body(saved: Ticket, changes: dict[str, Any]) -> dict[str, Any]:
        fields = {"changed": sorted(changes)} if event_cls is TicketUpdated else {}
        return {**snapshot(saved), **fields, **event_fields}

    return records.save(uow, actor, ticket, entity="ticket", action=action, before=before, fields=AUDITED,
                        event_cls=event_cls, body=body, extra=extra)
