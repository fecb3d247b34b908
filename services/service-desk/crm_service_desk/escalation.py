"""Escalation: a warning event when a share of an SLA target is used (e.g. 80 %), a breach event and a
breach record when it is missed. The timer may run in every instance at once: each takes the tickets
due for a check with ``FOR UPDATE SKIP LOCKED`` and flags them in the same transaction, so every
warning and breach is published exactly once."""

from __future__ import annotations

from datetime import datetime

from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.events.service_desk import TicketSlaBreached, TicketSlaWarning
from sqlalchemy import select

from . import journal, sla
from .models import SlaBreach, SlaPolicy, Ticket

TARGETS = ("first_response", "resolution")


def _met(ticket: Ticket, target: str) -> bool:
    return (ticket.first_responded_at if target == "first_response" else ticket.resolved_at) is not None


def _escalate(uow: UnitOfWork, ticket: Ticket, target: str, now: datetime, breach: bool) -> None:
    before = journal.state(ticket)
    due_at = getattr(ticket, f"{target}_due_at")
    setattr(ticket, f"{target}_warned", True)
    if breach:
        setattr(ticket, f"{target}_breached", True)
        uow.session.add(SlaBreach(ticket_id=ticket.id, target=target, due_at=due_at, recorded_at=now))
        percent = 100
    else:
        policy = uow.session.get(SlaPolicy, ticket.sla_policy_id) if ticket.sla_policy_id else None
        percent = policy.warn_percent if policy else 100
    journal.save(uow, None, ticket, "sla_breached" if breach else "sla_warning", before,
                 TicketSlaBreached if breach else TicketSlaWarning, target=target, due_at=due_at, percent=percent)


def met(uow: UnitOfWork, ticket: Ticket, target: str, at: datetime) -> None:
    """A target met late is a breach even when the timer has not seen it yet."""
    due_at = getattr(ticket, f"{target}_due_at")
    if due_at is not None and at > due_at and not getattr(ticket, f"{target}_breached"):
        _escalate(uow, ticket, target, at, breach=True)
    ticket.sla_next_check_at = sla.next_check(ticket)


def check(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
    if ticket.paused_at is None:
        for target in TARGETS:
            if _met(ticket, target):
                continue
            due_at, warn_at = getattr(ticket, f"{target}_due_at"), getattr(ticket, f"{target}_warn_at")
            if due_at is not None and due_at <= now and not getattr(ticket, f"{target}_breached"):
                _escalate(uow, ticket, target, now, breach=True)
            elif warn_at is not None and warn_at <= now and not getattr(ticket, f"{target}_warned"):
                _escalate(uow, ticket, target, now, breach=False)
    ticket.sla_next_check_at = sla.next_check(ticket)


def tick(uow: UnitOfWork, now: datetime, limit: int = 200) -> int:
    """Check the tickets whose next SLA moment has come; returns how many were checked."""
    due = uow.session.scalars(select(Ticket).where(Ticket.sla_next_check_at <= now)
                              .order_by(Ticket.sla_next_check_at).limit(limit)
                              .with_for_update(skip_locked=True)).all()
    for ticket in due:
        check(uow, ticket, now)
    return len(due)
