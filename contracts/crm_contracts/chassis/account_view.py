"""A local read model of accounts, kept from the customer service's account events.

Sales, service desk, notify and analytics each keep one so they can enforce visibility and link
TMS events by ``customer_code`` without calling the customer service. Events carry the whole
snapshot and a version, so applying them out of order keeps the newest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..access import can_see_account
from ..identity import Identity
from .types import UtcDateTime, UuidString, utcnow

FIELDS = ("customer_code", "name", "status", "tier", "owner_id", "team", "region", "industry", "version")


class AccountViewMixin:
    """Columns of the read model; a service declares ``class AccountView(AccountViewMixin, Base)``."""

    __tablename__ = "account_view"

    account_id: Mapped[str] = mapped_column(UuidString, primary_key=True)
    customer_code: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    tier: Mapped[str | None] = mapped_column(String(10))
    owner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    team: Mapped[str | None] = mapped_column(String(50))
    region: Mapped[str | None] = mapped_column(String(50), index=True)
    industry: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime)


def apply(session: Session, model: type[AccountViewMixin], event: dict[str, Any]) -> tuple[Any, bool]:
    """Upsert from an account event; returns (row, created). An older version changes nothing."""
    account_id = str(event["account_id"])
    # Locked, so two events for one account apply one after the other and the newest version wins.
    row = session.get(model, account_id, with_for_update=True)
    created = row is None
    if created:
        row = model(account_id=account_id, first_seen_at=event["occurred_at"])
        session.add(row)
    elif row.version >= event["version"]:
        return row, False
    for key in FIELDS:
        setattr(row, key, event.get(key))
    row.synced_at = utcnow()
    session.flush()
    return row, created


def visible_to(who: Identity, row: AccountViewMixin | None) -> bool:
    """The shared visibility rule; an account not known here is visible to read-wide roles only."""
    if row is None:
        return can_see_account(who, account_id=None, owner_id=None, team=None, region=None)
    return can_see_account(who, account_id=row.account_id, owner_id=row.owner_id, team=row.team,
                           region=row.region)


def by_code(session: Session, model: type[AccountViewMixin], customer_code: str) -> Any:
    return session.scalar(select(model).where(model.customer_code == customer_code))
