"""SLA policies (targets per priority and tier, with a business-hours calendar) and the ticket's SLA
clock: due and warning times, paused while the ticket waits on the customer or is resolved. A policy
change moves the clocks of the open tickets it governs in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict
from crm_contracts.events.service_desk import SlaPolicyChanged
from crm_contracts.identity import Identity
from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session

from . import business_hours, journal, permissions, rules, triage
from .models import OPEN_STATUSES, SlaPolicy, Ticket
from .records import check_version, config_body, config_page, fetch, save, state

FIELDS = ("name", "priority", "tier", "first_response_minutes", "resolution_minutes", "warn_percent",
          "calendar", "active")
RULE_FIELDS = FIELDS[1:]  # everything but the name moves a ticket's clock
CLOCK = ("sla_policy_id", "first_response_due_at", "first_response_warn_at", "resolution_due_at",
         "resolution_warn_at")
RESCHEDULE_BATCH = 200


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
    if policy.active:
        reschedule_open(uow, actor, policy)
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
    if any(before[key] != getattr(policy, key) for key in RULE_FIELDS):
        reschedule_open(uow, actor, policy)
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

def policy_for(session: Session, priority: str, tier: str | None,
               policies: Sequence[rules.PolicyRule] | None = None) -> rules.PolicyRule | None:
    """The active policy for this priority and tier, else the one for this priority and any tier
    (among ``policies``, by default the process's copy of the active ones)."""
    policies = rules.current(session).policies if policies is None else policies
    candidates = [p for p in policies if p.priority == priority]
    exact = [p for p in candidates if p.tier is not None and p.tier == tier]
    general = [p for p in candidates if p.tier is None]
    return (exact or general or [None])[0]


def schedule(session: Session, ticket: Ticket, policies: Sequence[rules.PolicyRule] | None = None) -> None:
    """(Re)compute due and warning times from the ticket's policy, its start and the time it was paused."""
    policy = policy_for(session, ticket.priority, ticket.tier, policies)
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


def reschedule_open(uow: UnitOfWork, actor: Identity, policy: SlaPolicy) -> int:
    """Give the open tickets ``policy`` governed, or governs now, the due and warning times of the policy
    that governs them after the change; returns how many moved.

    Each moved ticket is audited and published as ``ticket.updated``. Flags already raised stay raised; a
    target that is now past is escalated once by the next timer tick. The tickets are found by index
    (policy id, or priority and tier) and locked in id order, a batch at a time.
    """
    session = uow.session
    # Read from this transaction, never the process's copy: it must see the change being made.
    policies = rules.uncached(session).policies
    governed = [Ticket.sla_policy_id == policy.id]
    if policy.active:
        governed.append(and_(Ticket.priority_rank == triage.rank(policy.priority),
                             true() if policy.tier is None else Ticket.tier == policy.tier))
    stmt = (select(Ticket).where(Ticket.status.in_(OPEN_STATUSES), or_(*governed)).order_by(Ticket.id)
            .limit(RESCHEDULE_BATCH).with_for_update().execution_options(populate_existing=True))
    moved, after = 0, None
    while True:
        batch = session.scalars(stmt if after is None else stmt.where(Ticket.id > after)).all()
        moved += sum(_reschedule(uow, actor, ticket, policies) for ticket in batch)
        if len(batch) < RESCHEDULE_BATCH:
            return moved
        after = batch[-1].id


def _reschedule(uow: UnitOfWork, actor: Identity, ticket: Ticket, policies: Sequence[rules.PolicyRule]) -> bool:
    before, clock = journal.state(ticket), state(ticket, CLOCK)
    schedule(uow.session, ticket, policies)
    moved = audit.diff(clock, state(ticket, CLOCK))
    if moved:
        journal.save(uow, actor, ticket, "sla_rescheduled", before, extra=moved)
    return bool(moved)


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
