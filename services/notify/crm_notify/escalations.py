"""SLA escalations of the service desk: a warning before a target is missed, and the breach."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from . import directory
from .inbox import deliver_each
from .models import Notification


def _link(event: dict[str, Any]) -> str:
    return f"/tickets/{event['ticket_id']}"


def warning(session: Session, event: dict[str, Any]) -> list[Notification]:
    """The assignee, who can still meet the target; a ticket nobody is assigned to goes to the service
    managers of its region instead, since someone must hand it out first."""
    assignee = event.get("assignee_id")
    who = [assignee] if assignee else directory.service_managers(session, event.get("region"))
    return deliver_each(session, who, kind="ticket.sla_warning", event=event, link=_link(event))


def breached(session: Session, event: dict[str, Any]) -> list[Notification]:
    """The assignee and the service managers of the ticket's region (the supervisors notify can find)."""
    who = [event.get("assignee_id"), *directory.service_managers(session, event.get("region"))]
    return deliver_each(session, who, kind="ticket.sla_breached", event=event, link=_link(event))
