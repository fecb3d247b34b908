"""Who may do what at the service desk, and which tickets each caller sees.

Service roles work tickets: managers see their region's, agents the ones assigned to or raised by
them and their skill groups' queues within their region. Sales and other staff see the tickets of
the accounts they may see, read-only. A portal user sees their own account's tickets, raises
tickets and adds public comments. Invisible tickets are "not found".
"""

from __future__ import annotations

from typing import Any

from crm_contracts.access import scope_clause
from crm_contracts.errors import Forbidden
from crm_contracts.identity import Identity
from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from .models import AccountView, SkillGroupMember, Ticket

WORKERS = ("admin", "service_manager", "service_agent")
CONFIGURERS = ("admin", "service_manager")


def require_worker(actor: Identity, what: str = "work on tickets") -> None:
    if actor.role not in WORKERS:
        raise Forbidden(f"Your role may not {what}.")


def require_configure(actor: Identity) -> None:
    if actor.role not in CONFIGURERS:
        raise Forbidden("Only admins and service managers change the service desk's configuration.")


def require_read_config(actor: Identity) -> None:
    require_worker(actor, "read the service desk's configuration")


def is_customer(actor: Identity) -> bool:
    return actor.role == "customer"


def groups_of(session: Session, user_id: str) -> list[str]:
    return list(session.scalars(select(SkillGroupMember.group_id).where(SkillGroupMember.user_id == user_id)))


def _in_region(actor: Identity) -> Any:
    # A ticket with no known region yet (account not synced) stays visible rather than vanishing.
    return true_clause() if actor.region is None else or_(Ticket.region == actor.region, Ticket.region.is_(None))


def true_clause() -> Any:
    return Ticket.id.isnot(None)


def ticket_scope(session: Session, actor: Identity) -> Any | None:
    """A condition on ``Ticket`` for what ``actor`` may see; ``None`` means everything."""
    if actor.role == "admin":
        return None
    if actor.role == "customer":
        return Ticket.account_id == actor.account_id if actor.account_id else false()
    if actor.role == "service_manager":
        return None if actor.region is None else _in_region(actor)
    if actor.role == "service_agent":
        mine = or_(Ticket.assignee_id == actor.user_id, Ticket.created_by == actor.user_id)
        groups = groups_of(session, actor.user_id)
        return or_(mine, and_(Ticket.group_id.in_(groups), _in_region(actor))) if groups else mine
    accounts = scope_clause(actor, account_id=AccountView.account_id, owner_id=AccountView.owner_id,
                            team=AccountView.team, region=AccountView.region)
    if accounts is None:
        return None
    return Ticket.account_id.in_(select(AccountView.account_id).where(accounts))
