"""The account read model: who owns each customer, so alerts reach the right person.

``account.merged`` marks the duplicate merged and names its survivor; an alert raised for the
duplicate's id (the service desk had not heard of the merge yet) then goes to the survivor's owner.
A snapshot of the duplicate arriving after the merge never brings it back.
"""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis import account_view, audit
from crm_contracts.chassis.database import UnitOfWork
from sqlalchemy.orm import Session

from .models import AUDIT, AccountView


def apply(session: Session, event: dict[str, Any]) -> AccountView:
    return account_view.apply_snapshot(session, AccountView, event)


def on_account_merged(uow: UnitOfWork, event: dict[str, Any]) -> AccountView:
    """Mark the duplicate merged into the survivor (a placeholder if its snapshot has not arrived yet)
    and re-point the accounts merged into it earlier; returns the duplicate's row."""
    duplicate, _ = account_view.mark_merged(uow.session, AccountView, event)
    audit.record(uow.session, AUDIT, entity="account", entity_id=duplicate.account_id, action="merged_into",
                 actor=account_view.merge_actor(event),
                 changes={"merged_into": {"old": None, "new": duplicate.merged_into}})
    return duplicate


def alert_owner(session: Session, event: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """Who hears of a customer alert, and the context its message is written from.

    The service desk names the owner it knows; an alert for a merged account goes to the survivor's
    owner under the survivor's name instead (the duplicate's owner may no longer serve this customer).
    """
    row = session.get(AccountView, str(event["account_id"]))
    if row is None or row.merged_into is None:
        return event.get("owner_id") or (row.owner_id if row else None), event
    survivor = session.get(AccountView, account_view.resolve(session, AccountView, row.merged_into))
    if survivor is None:
        return event.get("owner_id"), event  # the survivor is not known here yet: the owner we were told of
    return survivor.owner_id, {**event, "account_id": survivor.account_id, "customer_code": survivor.customer_code,
                               "account_name": survivor.name}


def owner_of(session: Session, account_id: str | None) -> str | None:
    """The owner of the live account ``account_id`` stands for (the survivor's, if it was merged away);
    ``None`` when notify has not heard of the account."""
    live = account_view.resolve(session, AccountView, str(account_id) if account_id else None)
    row = session.get(AccountView, live) if live else None
    return row.owner_id if row else None
