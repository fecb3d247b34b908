"""Proactive exception handling (主动预警): a TMS ``shipment.exception`` opens one ticket by itself,
routes it, and asks notify to warn the customer's contacts and alert the account owner before
anyone calls.

One ticket per exception: the handler claims the event id and ``Ticket.source_event_id`` is unique,
so a redelivery or a second instance changes nothing; a repeat report of the same kind of exception
on a shipment whose ticket is still open becomes a note on that ticket instead of a second ticket.
"""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import utcnow
from crm_contracts.events.service_desk import CustomerAlertRequested, TicketCommented
from crm_contracts.identity import SYSTEM
from sqlalchemy import Row, select

from . import journal, shipments, tickets
from .models import OPEN_STATUSES, AccountView, Comment, Shipment, Ticket

LABELS = {"delay": "Delay", "damage": "Damage", "customs_hold": "Customs hold", "loss": "Loss"}


def _describe(event: dict[str, Any]) -> str:
    lines = [event["description"]]
    if event.get("location"):
        lines.append(f"Location: {event['location']}")
    if event.get("eta"):
        lines.append(f"New ETA: {event['eta'].isoformat()}")
    lines.append(f"Severity: {event.get('severity', 'medium')}; "
                 f"reported by the TMS at {event['occurred_at'].isoformat()}.")
    return "\n".join(lines)


def _note(uow: UnitOfWork, ticket: Ticket, event: dict[str, Any]) -> None:
    before = journal.state(ticket)
    comment = Comment(ticket_id=ticket.id, body=f"The TMS reported this again.\n{_describe(event)}",
                      visibility="internal", attachments=[], author_id=None, author_name="TMS", author_role=None,
                      created_at=utcnow())
    uow.session.add(comment)
    uow.session.flush()
    journal.save(uow, None, ticket, "commented", before, TicketCommented,
                 extra={"comment_id": {"old": None, "new": comment.id}}, comment_id=comment.id,
                 visibility="internal", author_id=None, author_role=None, body=None)


def on_exception(uow: UnitOfWork, event: dict[str, Any], shipment: Row) -> Ticket | None:
    """Open (and route) the exception's ticket and warn the customer; None when one is already open.

    ``shipment`` is the row the exception was just folded into, locked: its ``open_exceptions`` count
    says whether an open ticket of this kind can exist at all (most shipments have none)."""
    session = uow.session
    open_one = session.scalar(select(Ticket).where(
        Ticket.shipment_reference == shipment.reference, Ticket.exception_type == event["exception_type"],
        Ticket.status.in_(OPEN_STATUSES)).limit(1).with_for_update()) if shipment.open_exceptions else None
    if open_one is not None:
        _note(uow, open_one, event)
        return None
    account = session.get(AccountView, shipment.account_id) if shipment.account_id else None
    label = LABELS.get(event["exception_type"], event["exception_type"])
    data = {"subject": f"{label}: shipment {shipment.reference}", "description": _describe(event),
            "channel": "system", "category": "exception", "shipment_reference": shipment.reference}
    ticket = tickets.open_ticket(uow, SYSTEM, data, account, customer_code=event["customer_code"],
                                 source_event_id=str(event["event_id"]), exception_type=event["exception_type"],
                                 exception_severity=event.get("severity", "medium"))
    shipments.count_open_exception(session, shipment.reference, +1)
    if account is not None:
        request_alert(uow, ticket, account, shipment)
    return ticket


def request_alert(uow: UnitOfWork, ticket: Ticket, account: AccountView, shipment: Row | Shipment | None) -> None:
    ticket.alerted_at = utcnow()
    uow.emit(CustomerAlertRequested, account_id=account.account_id, customer_code=account.customer_code,
             account_name=account.name, owner_id=account.owner_id, ticket_id=ticket.id,
             shipment_reference=ticket.shipment_reference, exception_type=ticket.exception_type,
             severity=ticket.exception_severity or "medium", description=ticket.description,
             location=shipment.last_location if shipment else None, eta=shipment.eta if shipment else None)


def alert_late_linked(uow: UnitOfWork, account: AccountView) -> int:
    """Exception tickets opened before their account was known warn the customer once it is."""
    pending = uow.session.scalars(select(Ticket).where(
        Ticket.account_id == account.account_id, Ticket.exception_type.isnot(None), Ticket.alerted_at.is_(None),
        Ticket.status.in_(OPEN_STATUSES)).with_for_update()).all()
    for ticket in pending:
        request_alert(uow, ticket, account, uow.session.get(Shipment, ticket.shipment_reference))
    return len(pending)
