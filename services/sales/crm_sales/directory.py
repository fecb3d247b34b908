"""Keeping the sales read models of accounts, contacts, credit and users from their owners' events.

Every apply is idempotent and out-of-order safe: snapshots carry a version (users an occurred_at),
and an older one than what is stored changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm_contracts import normalize
from crm_contracts.chassis import account_view
from crm_contracts.chassis.types import utcnow
from crm_contracts.identity import Identity
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .models import AccountCredit, AccountView, ContactView, PartyKey, UserView

SELLING_ROLES = ("sales_rep", "sales_manager")
GONE = ("merged", "deleted")


@dataclass(frozen=True)
class Owner:
    """Who a record is given to: the fields it copies for visibility."""

    user_id: str
    team: str | None
    region: str | None

    @classmethod
    def of(cls, user: UserView) -> Owner:
        return cls(user.user_id, user.team, user.region)

    @classmethod
    def acting(cls, session: Session, actor: Identity) -> Owner:
        # The directory may not have heard of a brand-new rep yet; their signed identity says enough.
        user = session.get(UserView, actor.user_id)
        return cls.of(user) if user is not None else cls(actor.user_id, actor.team, actor.region)


def apply_account(session: Session, event: dict[str, Any]) -> AccountView:
    row, _ = account_view.apply(session, AccountView, event)
    if row.version == event["version"]:
        row.name_key = normalize.company_name(event["name"])
        row.merged_into = str(event["merged_into"]) if event.get("merged_into") else None
        _account_keys(session, row, event)
    return row


def _account_keys(session: Session, row: AccountView, event: dict[str, Any]) -> None:
    """The account's own phone and e-mail as party keys, beside its contacts': caller-ID and the lead
    duplicate checks then find a customer by the number on its account as well. Such a key's
    ``contact_id`` is the account's id."""
    session.execute(delete(PartyKey).where(PartyKey.contact_id == row.account_id))
    if row.status in GONE:
        return
    phone, email = normalize.phone(event.get("phone")), normalize.email(event.get("email"))
    session.add_all(PartyKey(kind=kind, key=key, contact_id=row.account_id, account_id=row.account_id)
                    for kind, key in (("phone", phone), ("email", email)) if key)


def _phones(event: dict[str, Any]) -> list[str]:
    numbers = (normalize.phone(p["number"]) for p in event.get("phones") or [])
    return sorted({n for n in numbers if n})


def _newer(session: Session, model: Any, key: str, version: int) -> Any:
    """The row to overwrite with a snapshot of ``version`` (new if absent), or None if it is older."""
    row = session.get(model, key)
    if row is not None and row.version >= version:
        return None
    if row is None:
        row = model(**{model.__mapper__.primary_key[0].key: key})
        session.add(row)
    return row


def apply_contact(session: Session, event: dict[str, Any], deleted: bool = False) -> ContactView | None:
    contact_id = str(event["contact_id"])
    row = _newer(session, ContactView, contact_id, event["version"])
    if row is None:
        return None
    row.account_id, row.name, row.title = str(event["account_id"]), event["name"], event.get("title")
    row.phones = _phones(event)
    row.emails = sorted({normalize.email(e) for e in event.get("emails") or [] if e})
    row.deleted, row.version = deleted, event["version"]
    session.execute(delete(PartyKey).where(PartyKey.contact_id == contact_id))
    if not deleted:
        keys = [("phone", p) for p in row.phones] + [("email", e) for e in row.emails]
        session.add_all(PartyKey(kind=kind, key=key, contact_id=contact_id, account_id=row.account_id)
                        for kind, key in keys)
    session.flush()
    return row


def apply_credit(session: Session, event: dict[str, Any]) -> AccountCredit | None:
    row = _newer(session, AccountCredit, str(event["account_id"]), event["version"])
    if row is None:
        return None
    row.credit_hold, row.over_limit = event["credit_hold"], event["over_limit"]
    utilisation = event.get("utilisation")
    row.utilisation = None if utilisation is None else str(utilisation)
    row.version, row.synced_at = event["version"], utcnow()
    session.flush()
    return row


def apply_user(session: Session, event: dict[str, Any], active: bool | None = None) -> UserView | None:
    user_id = str(event["user_id"])
    row = session.get(UserView, user_id)
    if row is not None and row.as_of > event["occurred_at"]:
        return None
    if row is None:
        row = UserView(user_id=user_id)
        session.add(row)
    row.username, row.role = event["username"], event["role"]
    row.region, row.team = event.get("region"), event.get("team")
    row.active = event["active"] if active is None else active
    row.as_of = event["occurred_at"]
    session.flush()
    return row


def seller(session: Session, user_id: str | None) -> UserView | None:
    """An active sales user, or None."""
    if not user_id:
        return None
    row = session.get(UserView, str(user_id))
    return row if row is not None and row.active and row.role in SELLING_ROLES else None


def sellers(session: Session, *, region: str | None = None, team: str | None = None,
            user_ids: list[str] | None = None) -> list[UserView]:
    """Active sales users: the named ones, else the reps of a team, else all reps; within ``region``
    when given. Stable order, which round robin walks."""
    stmt = select(UserView).where(UserView.active.is_(True))
    if user_ids:
        stmt = stmt.where(UserView.role.in_(SELLING_ROLES), UserView.user_id.in_(user_ids))
    else:
        stmt = stmt.where(UserView.role == "sales_rep")
        if team:
            stmt = stmt.where(UserView.team == team)
    if region:
        stmt = stmt.where(UserView.region == region)
    return list(session.scalars(stmt.order_by(UserView.user_id)))


def customer_account(session: Session, account_id: str | None) -> AccountView | None:
    """The account as sales knows it, following a merge to its survivor."""
    seen = set()
    row = session.get(AccountView, str(account_id)) if account_id else None
    while row is not None and row.merged_into and row.account_id not in seen:
        seen.add(row.account_id)
        row = session.get(AccountView, row.merged_into)
    return row
