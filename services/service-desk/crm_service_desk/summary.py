"""The service section of the customer 360 view: shipments in transit with their last milestone, open
tickets, and satisfaction (CSAT average, NPS) from answered surveys."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis import account_view
from crm_contracts.errors import NotFound
from crm_contracts.identity import Identity
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased

from . import contacts, shipments, tickets
from .models import OPEN_STATUSES, AccountView, Milestone, Shipment, Survey, Ticket

CLOSED_SHIPMENTS = ("delivered", "cancelled")


# Built once: constructing these statements costs more CPU than running them, and a statement object
# reused keeps its compiled form's cache key.
_LAST_MILESTONE = aliased(Milestone)
IN_TRANSIT = (
    select(Shipment, Milestone)
    .outerjoin(Milestone, Milestone.id == select(_LAST_MILESTONE.id)
               .where(_LAST_MILESTONE.reference == Shipment.reference)
               .order_by(_LAST_MILESTONE.occurred_at.desc(), _LAST_MILESTONE.id.desc()).limit(1).scalar_subquery())
    .where(Shipment.account_id == bindparam("account_id"), Shipment.status.not_in(CLOSED_SHIPMENTS))
    .order_by(Shipment.status_at.desc()).limit(20))
# The 20 most urgent open tickets, each row carrying the count of all of them.
OPEN_TICKETS = (select(Ticket, func.count().over())
                .where(Ticket.account_id == bindparam("account_id"), Ticket.status.in_(OPEN_STATUSES))
                .order_by(Ticket.priority_rank.desc(), Ticket.created_at.desc()).limit(20))
_ANSWERED = (select(Survey.csat, Survey.nps).join(Ticket, Ticket.id == Survey.ticket_id)
             .where(Ticket.account_id == bindparam("account_id"), Survey.answered_at.isnot(None)).subquery())
SATISFACTION = select(func.count(_ANSWERED.c.csat), func.avg(_ANSWERED.c.csat), func.count(_ANSWERED.c.nps),
                      func.count(_ANSWERED.c.nps).filter(_ANSWERED.c.nps >= 9),
                      func.count(_ANSWERED.c.nps).filter(_ANSWERED.c.nps <= 6))


def _shipments(session: Session, account_id: str) -> list[dict[str, Any]]:
    """Up to 20 shipments in transit, newest status first, each with its last milestone (one query)."""
    rows = session.execute(IN_TRANSIT, {"account_id": account_id}).all()
    return [{**shipments.to_out(shipment), "last_milestone": shipments.milestone_out(milestone) if milestone else None}
            for shipment, milestone in rows]


def _satisfaction(session: Session, account_id: str) -> dict[str, Any]:
    count, csat, rated, promoters, detractors = session.execute(SATISFACTION, {"account_id": account_id}).one()
    # NPS: % promoters (9-10) minus % detractors (0-6)
    nps = round(100 * (promoters - detractors) / rated) if rated else None
    return {"surveys_answered": count, "csat_average": round(float(csat), 2) if csat is not None else None,
            "nps": nps}


def account_summary(session: Session, actor: Identity, account_id: str) -> dict[str, Any]:
    account = session.get(AccountView, str(account_id))
    if account is None or not account_view.visible_to(actor, account):
        raise NotFound(f"Account {account_id} is not known to the service desk.")
    if account.merged_into is not None:
        survivor = account_view.resolve(session, AccountView, account.merged_into)
        raise NotFound(f"Account {account_id} was merged into {survivor}.", merged_into=survivor)
    in_transit = _shipments(session, account.account_id)
    rows = session.execute(OPEN_TICKETS, {"account_id": account.account_id}).all()
    open_tickets, open_count = [ticket for ticket, _ in rows], (rows[0][1] if rows else 0)
    contacts.preload(session, open_tickets)  # their contacts' names, in one more query when any has one
    return {"shipments_in_transit": in_transit,
            "open_exceptions": sum(s["open_exceptions"] or 0 for s in in_transit),
            "open_tickets": open_count,
            "recent_open_tickets": [tickets.to_out(t) for t in open_tickets],
            "satisfaction": _satisfaction(session, account.account_id)}
