"""A local read model of accounts, kept from the customer service's account events.

Sales, service desk, notify and analytics each keep one so they can enforce visibility and link
TMS events by ``customer_code`` without calling the customer service. Events carry the whole
snapshot and a version, so applying them out of order keeps the newest.

A read model with a ``merged_into`` column also follows ``account.merged``: a merged account stays
merged whatever order its events arrive in, and its id and customer code stand for the survivor.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, select, update
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


# A merge re-points the accounts merged into its duplicate before, so one hop is the rule; more happen
# only while merges are delivered out of order, and the bound keeps a bad chain from looping.
MAX_MERGE_HOPS = 8


def apply_snapshot(session: Session, model: type[Any], event: dict[str, Any]) -> Any:
    """``apply`` for a read model with ``merged_into``: a snapshot from before the merge
    (``account.created`` or ``.updated`` delivered late) refreshes a merged account's fields but never
    its status."""
    row, _ = apply(session, model, event)
    if event.get("status") == "merged" and event.get("merged_into") and row.merged_into is None:
        row.merged_into = str(event["merged_into"])
    if row.merged_into is not None:
        row.status = "merged"
    return row


def resolve(session: Session, model: type[Any], account_id: str | None) -> str | None:
    """The live account ``account_id`` stands for: itself, or the survivor it was merged into."""
    if not account_id:
        return account_id
    try:
        current = str(uuid.UUID(str(account_id)))
    except ValueError:
        return account_id  # not an id: it matches nothing, redirected or not
    for _ in range(MAX_MERGE_HOPS):
        survivor = session.scalar(select(model.merged_into).where(model.account_id == current))
        if survivor is None:
            return current
        current = survivor
    return current


def mark_merged(session: Session, model: type[Any], event: dict[str, Any]) -> tuple[Any, Any | None]:
    """Mark ``account.merged``'s duplicate merged and re-point the accounts merged into it earlier.

    Returns (duplicate, survivor), both locked; the survivor is None while its snapshot has not arrived
    here, and is followed on if it was itself merged meanwhile (merges delivered out of order).
    """
    duplicate_id = str(event["duplicate_id"])
    target_id = resolve(session, model, str(event["survivor_id"]))
    # Locked in id order, so two merges naming the same accounts wait for each other, never deadlock.
    rows = {row.account_id: row for row in session.scalars(
        select(model).where(model.account_id.in_(sorted({duplicate_id, target_id})))
        .order_by(model.account_id).with_for_update())}
    duplicate = rows.get(duplicate_id)
    if duplicate is None:
        # Its snapshot is still on the way: a placeholder at version 0, which the snapshot fills in but
        # cannot bring back to life (see ``apply_snapshot``).
        duplicate = model(account_id=duplicate_id, customer_code=event["duplicate_code"],
                          name=event["duplicate_code"], status="merged", version=0,
                          first_seen_at=event["occurred_at"])
        session.add(duplicate)
    duplicate.status, duplicate.merged_into, duplicate.synced_at = "merged", target_id, utcnow()
    session.execute(update(model).where(model.merged_into == duplicate_id)
                    .values(merged_into=target_id).execution_options(synchronize_session=False))
    session.flush()
    return duplicate, rows.get(target_id)


def merge_actor(event: dict[str, Any]) -> Identity | None:
    """The person who merged, so each service's audit trail names them as the customer service does."""
    actor = event.get("actor")
    if not actor:
        return None
    return Identity(user_id=actor["user_id"], role=actor.get("role") or "", username=actor.get("username") or "")
