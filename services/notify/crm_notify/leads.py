"""Sales lead notices: the owner warned before a lead returns to the pool, the new owner of an assigned or
transferred lead, and the uploader of a finished lead import."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .inbox import deliver_each, not_the_actor
from .models import Notification


def _link(event: dict[str, Any]) -> str:
    return f"/leads/{event['lead_id']}"


def release_warned(session: Session, event: dict[str, Any]) -> list[Notification]:
    return deliver_each(session, [event.get("owner_id")], kind="lead.release_warned", event=event, link=_link(event))


def assigned(session: Session, event: dict[str, Any]) -> list[Notification]:
    return deliver_each(session, [not_the_actor(event, event.get("owner_id"))], kind="lead.assigned", event=event,
                        link=_link(event))


def transferred(session: Session, event: dict[str, Any]) -> list[Notification]:
    """The new owner; a transfer to the pool names none, and the previous owner learns from the lead."""
    return deliver_each(session, [not_the_actor(event, event.get("owner_id"))], kind="lead.transferred",
                        event=event, link=_link(event))


def import_finished(session: Session, event: dict[str, Any]) -> list[Notification]:
    """The uploader hears the counts, or why the import failed."""
    kind = "lead_import.failed" if event["status"] == "failed" else "lead_import.completed"
    return deliver_each(session, [event.get("created_by")], kind=kind, event=event,
                        link=f"/leads/imports/{event['import_id']}")
