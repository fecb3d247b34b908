"""SLA policies (targets per priority and tier, with a business-hours calendar) and the ticket's SLA
clock: due and warning times, paused while the ticket waits on the customer or is resolved."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict
from crm_contracts.events.service_desk import SlaPolicyChanged
from crm_contracts.identity import Identity
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import business_hours, permissions, rules
from .models import SlaPolicy, Ticket
from .records import check_version, config_body, config_page, fetch, save, state

FIELDS = ("name", "priority", "tier", "first_response_minutes", "resolution_minutes", "warn_percent",
          "calendar", "active")


def _ensure_unique(session: Session, policy: SlaPolicy) -> None:
    if not policy.active:
        return
    clash = session.scalar(select(SlaPolicy.id).where(
        SlaPolicy.active, SlaPolicy.priority == policy.priority, SlaPolicy.id != policy.id,
        SlaPolicy.tier.is_(None) if policy.tier is None else SlaPolicy.tier == policy.tier))
    if clash:
        raise Conflict(f"An active policy for priority {policy.priority} and tier {policy.tier or 'any'} "
                       f"already exists ({clash}); deactivate it first.")


def create(uow: UnitOfWork, actor: Identity, data: dict[str, Any]) -> SlaPolicy:
    permissions.require_configure(actor)
    now = utcnow()
    policy = SlaPolicy(**{**data, "calendar": jsonio.to_jsonable(data.get("calendar"))},
                       created_at=now, updated_at=now)
    _ensure_unique(uow.session, policy)
    uow.session.add(policy)
    rules.changed(uow.session)
    save(uow, actor, policy, entity="sla_policy", action="created", before={}, fields=FIELDS,
         event_cls=SlaPolicyChanged, body=config_body("name"))
    return policy


def update(uow: UnitOfWork, actor: Identity, policy_id: str, data: dict[str, Any],
           expected_version: int | None = None) -> SlaPolicy:
    permissions.require_configure(actor)
    policy = get(uow.session, actor, policy_id)
    check_version(policy, expected_version, f"SLA policy {policy_id}")
    before = state(policy, FIELDS)
    for key, value in data.items():
        setattr(policy, key, jsonio.to_jsonable(value) if key == "calendar" else value)
    _ensure_unique(uow.session, policy)
    if policy.first_response_minutes > policy.resolution_minutes:
        raise Conflict("resolution_minutes must not be shorter than first_response_minutes.")
    rules.changed(uow.session)
    save(uow, actor, policy, entity="sla_policy", action="updated", before=before, fields=FIELDS,
         event_cls=SlaPolicyChanged, body=config_body("name"))
    return policy


def get(session: Session, actor: Identity, policy_id: str) -> SlaPolicy:
    permissions.require_read_config(actor)
    return fetch(session, SlaPolicy, policy_id, "SLA policy")


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[SlaPolicy], str | None]:
    permissions.require_read_config(actor)
    return config_page(session, SlaPolicy, query)


def to_out(policy: SlaPolicy) -> dict[str, Any]:
    return jsonio.to_jsonable({"id": policy.id, **state(policy, FIELDS), "created_at": policy.created_at,
                               "updated_at": policy.updated_at, "version": policy.version})


# --- the ticket's clock ----------------------------------------------------------------------------

def policy_for(session: Session, priority: str, tier: str | None) -> rules.PolicyRule | None:
    """The active policy for this priority and tier, else the one for this priority and any tier."""
    candidates = [p for p in rules.current(session).policies if p.priority == priority]
    exact = [p for p in candidates if p.tier is not None and p.tier == tier]
    general = [p for p in candidates if p.tier is None]
    return (exact or general or [None])[0]


def schedule(session: Session, ticket: Ticket) -> None:
    """(Re)compute due and warning times from the ticket's policy, its start and the time it was paused."""
    policy = policy_for(session, ticket.priority, ticket.tier)
    ticket.sla_policy_id = policy.id if policy else None
    if policy is None:
        ticket.first_response_due_at = ticket.first_response_warn_at = None
        ticket.resolution_due_at = ticket.resolution_warn_at = None
    else:
        calendar = policy.calendar
        paused = ticket.paused_seconds or 0

        def at(minutes: int, percent: int = 100) -> datetime:
            return business_hours.add(ticket.created_at, minutes * 60 * percent / 100 + paused, calendar)

        ticket.first_response_due_at = at(policy.first_response_minutes)
        ticket.first_response_warn_at = at(policy.first_response_minutes, policy.warn_percent)
        ticket.resolution_due_at = at(policy.resolution_minutes)
        ticket.resolution_warn_at = at(policy.resolution_minutes, policy.warn_percent)
    ticket.sla_next_check_at = next_check(ticket)


def calendar_of(session: Session, ticket: Ticket) -> business_hours.Calendar | None:
    policy = session.get(SlaPolicy, ticket.sla_policy_id) if ticket.sla_policy_id else None
    return business_hours.Calendar.from_json(policy.calendar) if policy else None


def pause(ticket: Ticket, at: datetime) -> None:
    if ticket.paused_at is None:
        ticket.paused_at = at
    ticket.sla_next_check_at = None


def resume(session: Session, ticket: Ticket, at: datetime) -> None:
    """Restart the clock; the working time spent paused moves every target later by as much."""
    if ticket.paused_at is None:
        return
    ticket.paused_seconds = (ticket.paused_seconds or 0) + business_hours.between(
        ticket.paused_at, at, calendar_of(session, ticket))
    ticket.paused_at = None
    schedule(session, ticket)


def next_check(ticket: Ticket) -> datetime | None:
    """The next moment the escalation timer has something to do for this ticket."""
    if ticket.paused_at is not None:
        return None
    moments = []
    if ticket.first_responded_at is None:
        if not ticket.first_response_warned:
            moments.append(ticket.first_response_warn_at)
        if not ticket.first_response_breached:
            moments.append(ticket.first_response_due_at)
    if ticket.resolved_at is None:
        if not ticket.resolution_warned:
            moments.append(ticket.resolution_warn_at)
        if not ticket.resolution_breached:
            moments.append(ticket.resolution_due_at)
    moments = [m for m in moments if m is not None]
    return min(moments) if moments else None
