"""A ticket's life after creation: assign, resolve (with a root cause for complaints and claims),
close, reopen within the window. The state rules are the model's; this adds the SLA clock, the
survey, the audit trail and the events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import utcnow
from crm_contracts.events.service_desk import TicketClosed, TicketReopened, TicketResolved
from crm_contracts.identity import Identity

from . import escalation, journal, permissions, routing, shipments, sla, surveys, tickets
from .models import Agent, Ticket


def assign(uow: UnitOfWork, actor: Identity, ticket_id: str, assignee_id: str | None,
           group_id: str | None) -> Ticket:
    ticket = tickets.get_to_work(uow.session, actor, ticket_id)
    ticket.require_not_closed()
    routing.assign_manually(uow, actor, ticket, assignee_id, group_id)
    return ticket


def _exception_settled(uow: UnitOfWork, ticket: Ticket, delta: int) -> None:
    if ticket.exception_type:
        shipments.count_open_exception(uow.session, ticket.shipment_reference, delta)


def resolve(uow: UnitOfWork, actor: Identity, ticket_id: str, data: dict[str, Any],
            survey_ttl: timedelta) -> Ticket:
    ticket = tickets.get_to_work(uow.session, actor, ticket_id)
    before, now = journal.state(ticket), utcnow()
    ticket.resolve(now, data["resolution"], data.get("root_cause"))
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now  # the resolution is the first answer the customer gets
        escalation.met(uow, ticket, "first_response", now)
    escalation.met(uow, ticket, "resolution", now)
    sla.pause(ticket, now)
    _exception_settled(uow, ticket, -1)
    journal.save(uow, actor, ticket, "resolved", before, TicketResolved, resolution=ticket.resolution)
    surveys.issue(uow, actor, ticket, survey_ttl)
    return ticket


def close(uow: UnitOfWork, actor: Identity, ticket_id: str, note: str | None = None) -> Ticket:
    ticket = tickets.get_to_work(uow.session, actor, ticket_id)
    before = journal.state(ticket)
    ticket.close(utcnow())
    journal.save(uow, actor, ticket, "closed", before, TicketClosed,
                 extra={"note": {"old": None, "new": note}} if note else None)
    return ticket


def reopen(uow: UnitOfWork, actor: Identity, ticket_id: str, reason: str, window: timedelta) -> Ticket:
    """Staff, or the customer whose ticket it is, reopen a resolved or closed ticket within the window."""
    session = uow.session
    ticket = tickets.get(session, actor, ticket_id, for_update=True)
    if not permissions.is_customer(actor):
        permissions.require_worker(actor)
    before, now = journal.state(ticket), utcnow()
    ticket.reopen(now, window)
    sla.resume(session, ticket, now)
    _exception_settled(uow, ticket, +1)
    journal.save(uow, actor, ticket, "reopened", before, TicketReopened, reason=reason,
                 extra={"reason": {"old": None, "new": reason}})
    if ticket.assignee_id is None or not routing.eligible(session.get(Agent, ticket.assignee_id)):
        routing.route(uow, actor, ticket)
    return ticket
