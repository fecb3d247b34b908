"""Who acts on a record nobody in particular is named for, from the user directory notify keeps (user
events)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Recipient


def _active(session: Session, role: str, **where: str | None) -> list[str]:
    """Active users of ``role`` matching ``where`` (``region=None``: users without a region)."""
    stmt = select(Recipient.user_id).where(Recipient.role == role, Recipient.active.is_(True))
    for column, value in where.items():
        stmt = stmt.where(getattr(Recipient, column) == value)
    return list(session.scalars(stmt.order_by(Recipient.user_id)))


def quote_approvers(session: Session, region: str | None) -> list[str]:
    """Who may approve a quote of ``region``, as sales decides it (``access.may_manage``): the sales
    managers of that region. Admins approve anywhere; they hear of it only when the region has no sales
    manager, so that a request does not wait unseen."""
    managers = _active(session, "sales_manager", region=region) if region else []
    return managers or _active(session, "admin")


def service_managers(session: Session, region: str | None) -> list[str]:
    """Who supervises a ticket of ``region``. Skill groups name members but no supervisors, so: the service
    managers of the ticket's region, else those without a region (they cover every region)."""
    managers = _active(session, "service_manager", region=region) if region else []
    return managers or _active(session, "service_manager", region=None)
