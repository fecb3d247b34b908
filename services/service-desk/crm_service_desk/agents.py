"""The agent directory, kept from the gateway's user events (``user.created/updated/deactivated``).

Events carry the whole user, so they are applied newest-``occurred_at``-wins and a late, older event
changes nothing. An agent who stops being one (deactivated, or moved out of a service role) hands
their open tickets to the named successor, else to the routing rules.
"""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis.database import UnitOfWork
from sqlalchemy import select

from . import routing
from .models import Agent

FIELDS = ("username", "full_name", "email", "role", "region", "team")


def apply(uow: UnitOfWork, event: dict[str, Any], deactivated: bool = False) -> Agent:
    session = uow.session
    user_id = str(event["user_id"])
    agent = session.scalar(select(Agent).where(Agent.user_id == user_id).with_for_update())
    if agent is not None and agent.event_at > event["occurred_at"]:
        return agent
    if agent is None:
        agent = Agent(user_id=user_id)
        session.add(agent)
    for key in FIELDS:
        setattr(agent, key, event.get(key))
    agent.active = bool(event["active"]) and not deactivated
    agent.event_at = event["occurred_at"]
    session.flush()
    if not routing.eligible(agent):
        routing.release_agent(uow, None, user_id, event.get("successor_id"))
    return agent
