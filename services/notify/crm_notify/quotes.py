"""Quote notices: the people who may approve a quote that needs approval, and the quote's owner when the
customer answers."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from . import accounts, directory
from .inbox import deliver_each, not_the_actor
from .models import Notification


def _link(event: dict[str, Any]) -> str:
    return f"/quotes/{event['quote_id']}"


def approval_requested(session: Session, event: dict[str, Any]) -> list[Notification]:
    approvers = [not_the_actor(event, user_id) for user_id in directory.quote_approvers(session, event.get("region"))]
    return deliver_each(session, approvers, kind="quote.approval_requested", event=event, link=_link(event))


def answered(session: Session, event: dict[str, Any], kind: str) -> list[Notification]:
    """``quote.accepted`` / ``quote.rejected`` for the owner (the account's owner when the quote has none),
    unless the owner recorded the answer themselves."""
    owner = event.get("owner_id") or accounts.owner_of(session, event.get("account_id"))
    return deliver_each(session, [not_the_actor(event, owner)], kind=kind, event=event, link=_link(event))
