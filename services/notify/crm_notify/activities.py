"""Activity reminders: the activity's owner (its assignee, for a task a manager dispatched) hears when it
falls due and when it is overdue."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .inbox import deliver_each
from .models import Notification


def reminder(session: Session, event: dict[str, Any], kind: str) -> list[Notification]:
    """``activity.due`` / ``activity.overdue``."""
    return deliver_each(session, [event["owner_id"]], kind=kind, event=event,
                        link=f"/activities/{event['activity_id']}")
