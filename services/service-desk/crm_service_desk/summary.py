"""The service section of the customer 360 view: shipments in transit with their last milestone, open
tickets, and satisfaction (CSAT average, NPS) from answered surveys."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis import account_view
from crm_contracts.errors import NotFound
from crm_contracts.identity import Identity
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import shipments, tickets
from .models import OPEN_STATUSES, AccountView, Milestone, Shipment, Survey, Ticket

CLOSED_SHIPMENTS = ("delivered", "cancelled")


def _shipments(session: Session, account_id: str) -> list[dict[str, Any]]:
    in_transit = session.scalars(
        select(Shipment).where(Shipment.account_id == account_id, Shipment.status.not_in(CLOSED_SHIPMENTS))
        .order_by(Shipment.status_at.desc()).limit(20)).all()
    answer = []
    for shipment in in_transit:
        milestone = session.scalar(select(Milestone).where(Milestone.reference == shipment.reference)
                                   .order_by(Milestone.occurred_at.desc()).limit(1))
        answer.append({**shipments.to_out(shipment),
                       "last_milestone": shipments.milestone_out(milestone) if milestone else None})
    return answer


def _satisfaction(session: Session, account_id: str) -> dict[str, Any]:
    answered = select(Survey.csat, Survey.nps).join(Ticket, Ticket.id == Survey.ticket_id).where(
        Ticket.account_id == account_id, Survey.answered_at.isnot(None)).subquery()
    count, csat = session.execute(select(func.count(answered.c.csat), func.avg(answered.c.csat))).one()
    scores = [row[0] for row in session.execute(select(answered.c.nps).where(answered.c.nps.isnot(None)))]
    nps = None
    if scores:  # % promoters (9-10) minus % detractors (0-6)
        nps = round(100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores))
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
    open_tickets = session.scalars(select(Ticket).where(
        Ticket.account_id == account.account_id, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.priority_rank.desc(), Ticket.created_at.desc()).limit(20)).all()
    open_count = session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.account_id == account.account_id, Ticket.status.in_(OPEN_STATUSES)))
    return {"shipments_in_transit": in_transit,
            "open_exceptions": sum(s["open_exceptions"] or 0 for s in in_transit),
            "open_tickets": open_count,
            "recent_open_tickets": [tickets.to_out(t) for t in open_tickets],
            "satisfaction": _satisfaction(session, account.account_id)}
