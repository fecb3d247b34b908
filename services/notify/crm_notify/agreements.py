"""Contract notices: renewal due, and payment milestones falling due or overdue, for the contract's owner
(the account's owner, as notify knows it, when the contract names none)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from . import accounts
from .inbox import deliver_each
from .models import Notification


def _owner(session: Session, event: dict[str, Any]) -> str | None:
    return event.get("owner_id") or accounts.owner_of(session, event.get("account_id"))


def renewal_due(session: Session, event: dict[str, Any]) -> list[Notification]:
    return deliver_each(session, [_owner(session, event)], kind="contract.renewal_due", event=event,
                        link=f"/contracts/{event['contract_id']}")


def milestone(session: Session, event: dict[str, Any], kind: str) -> list[Notification]:
    """``milestone.due`` / ``milestone.overdue``: the link opens the contract, where its milestones are."""
    return deliver_each(session, [_owner(session, event)], kind=kind, event=event,
                        link=f"/contracts/{event['contract_id']}")
