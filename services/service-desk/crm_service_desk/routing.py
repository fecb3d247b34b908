"""Routing: the skill group that serves a ticket's category and region, and in it the least-loaded
available agent below their capacity. Nobody free leaves the ticket in the group's queue, which the
escalation timer dispatches as agents free up. A ticket no group served waits outside every queue until
a group that serves it appears (created, activated or widened); the timer then routes it.

Capacity holds with many workers and instances: the group's agents are locked (``FOR UPDATE``, in
id order, so two routings never deadlock) before their open tickets are counted.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import ValidationFailed
from crm_contracts.events.service_desk import TicketAssigned
from crm_contracts.identity import SERVICE_ROLES, Identity
from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session

from . import journal, rules
from .models import OPEN_STATUSES, Agent, SkillGroup, SkillGroupMember, Ticket
from .rules import GroupRule

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def eligible(agent: Agent | None) -> bool:
    return agent is not None and agent.active and agent.role in SERVICE_ROLES


def groups_for(session: Session, ticket: Ticket) -> list[GroupRule]:
    """Active groups serving the ticket, the most specific first (category and region named)."""
    groups = rules.current(session).groups
    matching = [g for g in groups if (not g.categories or ticket.category in g.categories)
                and (not g.regions or ticket.region in g.regions)]
    return sorted(matching, key=lambda g: (-(bool(g.categories) + bool(g.regions)), g.name))


def open_loads(session: Session, user_ids: Collection[str]) -> dict[str, int]:
    if not user_ids:
        return {}
    rows = session.execute(select(Ticket.assignee_id, func.count()).where(
        Ticket.assignee_id.in_(list(user_ids)), Ticket.status.in_(OPEN_STATUSES)).group_by(Ticket.assignee_id))
    return {user_id: count for user_id, count in rows}


def least_loaded(session: Session, group: SkillGroup | GroupRule, exclude: Collection[str] = ()) -> Agent | None:
    capacity = {m.user_id: m.capacity for m in session.scalars(
        select(SkillGroupMember).where(SkillGroupMember.group_id == group.id)) if m.user_id not in exclude}
    if not capacity:
        return None
    agents = session.scalars(
        select(Agent).where(Agent.user_id.in_(sorted(capacity)), Agent.active, Agent.role.in_(SERVICE_ROLES))
        .order_by(Agent.user_id).with_for_update().execution_options(populate_existing=True)).all()
    loads = open_loads(session, [a.user_id for a in agents])
    free = [(loads.get(a.user_id, 0), a.last_assigned_at or EPOCH, a.user_id, a) for a in agents
            if loads.get(a.user_id, 0) < capacity[a.user_id]]
    return min(free)[3] if free else None


def assign(uow: UnitOfWork, actor: Identity | None, ticket: Ticket, agent: Agent | None,
           group: SkillGroup | GroupRule | None, reason: str) -> None:
    """Give the ticket to ``agent`` (None = back to the queue) in ``group``, audited and published."""
    before, previous = journal.state(ticket), ticket.assignee_id
    assignee_id, group_id = (agent.user_id if agent else None), (group.id if group else ticket.group_id)
    if (assignee_id, group_id) == (previous, ticket.group_id):
        return
    ticket.assignee_id, ticket.group_id = assignee_id, group_id
    if agent is not None:
        agent.last_assigned_at = utcnow()
    journal.save(uow, actor, ticket, "assigned", before, TicketAssigned, previous_assignee_id=previous,
                 assignee_username=agent.username if agent else None, assignee_email=agent.email if agent else None,
                 group_name=group.name if group else None, reason=reason)


def route(uow: UnitOfWork, actor: Identity | None, ticket: Ticket, reason: str = "routing",
          exclude: Collection[str] = (), queue: bool = True) -> Agent | None:
    """Assign by the routing rules; with nobody free, queue the ticket in its best group."""
    groups = groups_for(uow.session, ticket)
    current = [g for g in groups if g.id == ticket.group_id]
    for group in current + [g for g in groups if g.id != ticket.group_id]:
        agent = least_loaded(uow.session, group, exclude)
        if agent is not None:
            assign(uow, actor, ticket, agent, group, reason)
            return agent
    if queue:
        assign(uow, actor, ticket, None, (current + groups or [None])[0],
               "queued" if reason == "routing" else reason)
    return None


def assign_manually(uow: UnitOfWork, actor: Identity, ticket: Ticket, assignee_id: str | None,
                    group_id: str | None) -> None:
    """A person's choice: a named agent (capacity is theirs to judge), a group's best agent, or the rules."""
    session = uow.session
    group = session.get(SkillGroup, group_id) if group_id else None
    if group_id and (group is None or not group.active):
        raise ValidationFailed(errors={"group_id": ["No active skill group with this id."]})
    if assignee_id is None:
        agent = least_loaded(session, group) if group else None
        if group is None:
            route(uow, actor, ticket, reason="manual")
        else:
            assign(uow, actor, ticket, agent, group, "manual")
        return
    agent = session.get(Agent, assignee_id, with_for_update=True)
    if not eligible(agent):
        raise ValidationFailed(errors={"assignee_id": ["Not an active service agent."]})
    if group is not None and session.get(SkillGroupMember, (group.id, agent.user_id)) is None:
        raise ValidationFailed(errors={"assignee_id": [f"Not a member of skill group {group.name}."]})
    assign(uow, actor, ticket, agent, group, "manual")


def release_agent(uow: UnitOfWork, actor: Identity | None, user_id: str, successor_id: str | None) -> int:
    """Hand a departing agent's open tickets to their successor, else to the routing rules."""
    session = uow.session
    tickets = session.scalars(select(Ticket).where(
        Ticket.assignee_id == user_id, Ticket.status.in_(OPEN_STATUSES)).order_by(Ticket.created_at)
        .with_for_update()).all()
    successor = session.get(Agent, successor_id) if successor_id else None
    for ticket in tickets:
        if eligible(successor) and successor.user_id != user_id:
            assign(uow, actor, ticket, successor, None, "agent_deactivated")
        else:
            route(uow, actor, ticket, reason="agent_deactivated", exclude={user_id})
    return len(tickets)


def dispatch_queued(uow: UnitOfWork, limit: int = 50) -> int:
    """Give queued tickets, most urgent first, to agents who have capacity now, group by group."""
    session, done = uow.session, 0
    for group in session.scalars(select(SkillGroup).where(SkillGroup.active).order_by(SkillGroup.name)).all():
        while done < limit:
            ticket = session.scalar(select(Ticket).where(
                Ticket.group_id == group.id, Ticket.assignee_id.is_(None), Ticket.status.in_(OPEN_STATUSES))
                .order_by(Ticket.priority_rank.desc(), Ticket.created_at).limit(1)
                .with_for_update(skip_locked=True))
            agent = least_loaded(session, group) if ticket is not None else None
            if agent is None:
                break
            assign(uow, None, ticket, agent, group, "routing")
            done += 1
    return done


def _served_by(group: GroupRule) -> ColumnElement[bool]:
    """``groups_for``'s test as SQL: the tickets whose category and region ``group`` serves."""
    return and_(true(), *([Ticket.category.in_(group.categories)] if group.categories else []),
                *([Ticket.region.in_(group.regions)] if group.regions else []))


def route_groupless(uow: UnitOfWork, limit: int = 50) -> int:
    """Route the open, unassigned tickets that matched no group when they were routed and that an active
    group serves now, most urgent first; returns how many were routed (to an agent or a group's queue).

    Each instance's timer takes its own tickets (``SKIP LOCKED``); a routed ticket has a group, so it is
    never taken here again. A ticket no group serves is not read at all: the groups' rules filter in SQL.
    """
    groups = rules.current(uow.session).groups
    if not groups:
        return 0
    waiting = uow.session.scalars(select(Ticket).where(
        Ticket.group_id.is_(None), Ticket.assignee_id.is_(None), Ticket.status.in_(OPEN_STATUSES),
        or_(*(_served_by(g) for g in groups)))
        .order_by(Ticket.priority_rank.desc(), Ticket.created_at).limit(limit)
        .with_for_update(skip_locked=True)).all()
    for ticket in waiting:
        route(uow, None, ticket)
    return len(waiting)
