"""The in-app inbox: deliver, list, mark read. Each user sees only their own notifications."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import NotFound
from crm_contracts.identity import Identity
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import accounts
from .models import Notification, Recipient
from .templates import language_of, render, zone_of

SORTS = {"created_at": Notification.created_at}
TITLE_LENGTH = Notification.title.type.length


def deliver(session: Session, *, user_id: str, kind: str, context: dict[str, Any], link: str | None,
            source_event_id: str) -> Notification | None:
    """Write one notification in the recipient's language. A user the directory has not heard of yet
    (their user event may still be on the way) is written to in the default language."""
    recipient = session.get(Recipient, user_id)
    if recipient is not None and not recipient.active:
        return None  # a deactivated user's inbox is closed
    title, body = render(kind, context, language_of(recipient.language if recipient else None),
                         zone_of(recipient.time_zone if recipient else None))
    if len(title) > TITLE_LENGTH:  # titles quote subjects and names of any length
        title = title[:TITLE_LENGTH - 1] + "…"
    note = Notification(user_id=user_id, kind=kind, title=title, body=body, link=link,
                        source_event_id=source_event_id)
    session.add(note)
    return note


def deliver_each(session: Session, user_ids: Iterable[str | None], *, kind: str, event: dict[str, Any],
                 link: str) -> list[Notification]:
    """One notification, written from ``event``, for each distinct user named (nobody named: none, and no
    error)."""
    notes = (deliver(session, user_id=user_id, kind=kind, context=event, link=link,
                     source_event_id=str(event["event_id"]))
             for user_id in dict.fromkeys(str(u) for u in user_ids if u))
    return [note for note in notes if note is not None]


def not_the_actor(event: dict[str, Any], user_id: str | None) -> str | None:
    """``user_id``, unless they made the change themselves: nobody needs telling what they just did."""
    actor = event.get("actor") or {}
    return None if user_id and user_id == actor.get("user_id") else user_id


def account_created(session: Session, event: dict[str, Any]) -> Notification | None:
    if not event.get("owner_id"):
        return None
    return deliver(session, user_id=event["owner_id"], kind="account.assigned", context=event,
                   link=f"/accounts/{event['account_id']}", source_event_id=str(event["event_id"]))


def on_account_created(session: Session, event: dict[str, Any]) -> Notification | None:
    """Keep the new account's snapshot and tell its owner, unless it was merged away before its
    creation reached us (nobody is to take on a customer that no longer exists)."""
    if accounts.apply(session, event).merged_into is not None:
        return None
    return account_created(session, event)


def ticket_assigned(session: Session, event: dict[str, Any]) -> Notification | None:
    if not event.get("assignee_id"):
        return None
    return deliver(session, user_id=event["assignee_id"], kind="ticket.assigned", context=event,
                   link=f"/tickets/{event['ticket_id']}", source_event_id=str(event["event_id"]))


def customer_alert(session: Session, event: dict[str, Any]) -> Notification | None:
    """The account owner hears of a shipment exception as soon as the customer is warned (the survivor's
    owner, when the account was merged)."""
    owner_id, context = accounts.alert_owner(session, event)
    if not owner_id:
        return None
    return deliver(session, user_id=owner_id, kind="customer.alert", context=context,
                   link=f"/tickets/{event['ticket_id']}", source_event_id=str(event["event_id"]))


def list_for(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[Notification], str | None]:
    stmt = select(Notification).where(Notification.user_id == actor.user_id)
    if query.get("unread") is True:
        stmt = stmt.where(Notification.read_at.is_(None))
    elif query.get("unread") is False:
        stmt = stmt.where(Notification.read_at.is_not(None))
    return paginate(session, stmt, id_column=Notification.id, allowed_sorts=SORTS, default_sort=["-created_at"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def mark_read(session: Session, actor: Identity, notification_id: str) -> Notification:
    note = session.get(Notification, str(notification_id))
    if note is None or note.user_id != actor.user_id:
        raise NotFound(f"Notification {notification_id} was not found.")
    note.read_at = note.read_at or utcnow()
    return note


def upsert_recipient(session: Session, event: dict[str, Any]) -> None:
    user_id = str(event["user_id"])
    row = session.get(Recipient, user_id) or Recipient(user_id=user_id)
    if row.updated_at is not None and row.updated_at > event["occurred_at"]:
        return  # an older event arriving late
    for key in ("username", "full_name", "email", "role", "region", "team", "active", "language", "time_zone"):
        setattr(row, key, event.get(key))
    row.updated_at = event["occurred_at"]
    session.add(row)


def to_out(note: Notification) -> dict[str, Any]:
    return jsonio.to_jsonable({"id": note.id, "kind": note.kind, "title": note.title, "body": note.body,
                               "link": note.link, "created_at": note.created_at, "read_at": note.read_at})
