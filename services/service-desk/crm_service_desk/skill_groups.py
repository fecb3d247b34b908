"""Skill groups: which ticket categories and customer regions a group serves, its agents and each
agent's capacity. Changing members or rules routes nothing by itself: the routing timer hands queued
tickets out as agents have room, and routes the open tickets no group took once a group serves them."""

from __future__ import annotations

from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, ValidationFailed
from crm_contracts.events.service_desk import SkillGroupChanged
from crm_contracts.identity import Identity
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import permissions, routing, rules
from .models import Agent, SkillGroup, SkillGroupMember
from .records import check_version, config_body, config_page, fetch, save, state

FIELDS = ("name", "description", "categories", "regions", "active", "member_list")


def _set_members(session: Session, group: SkillGroup, members: list[dict[str, Any]]) -> None:
    wanted = {m["user_id"]: m["capacity"] for m in members}
    if len(wanted) != len(members):
        raise ValidationFailed(errors={"members": ["A user is listed twice."]})
    agents = {a.user_id: a for a in session.scalars(select(Agent).where(Agent.user_id.in_(list(wanted))))}
    unknown = sorted(u for u in wanted if not routing.eligible(agents.get(u)))
    if unknown:
        raise ValidationFailed(errors={"members": [f"Not an active service agent known to the service desk: "
                                                   f"{', '.join(unknown)}."]})
    current = {m.user_id: m for m in group.members}
    group.members = [current.get(u) or SkillGroupMember(user_id=u) for u in sorted(wanted)]
    for member in group.members:
        member.capacity = wanted[member.user_id]


def _ensure_unique(session: Session, group: SkillGroup) -> None:
    if session.scalar(select(SkillGroup.id).where(SkillGroup.name == group.name, SkillGroup.id != group.id)):
        raise Conflict(f"A skill group named {group.name!r} already exists.",
                       errors={"name": ["Already used by another skill group."]})


def create(uow: UnitOfWork, actor: Identity, data: dict[str, Any]) -> SkillGroup:
    permissions.require_configure(actor)
    members = data.pop("members")
    now = utcnow()
    group = SkillGroup(**data, created_at=now, updated_at=now, members=[])
    _ensure_unique(uow.session, group)
    _set_members(uow.session, group, members)
    uow.session.add(group)
    rules.changed(uow.session)
    save(uow, actor, group, entity="skill_group", action="created", before={}, fields=FIELDS,
         event_cls=SkillGroupChanged, body=config_body("name"))
    return group


def update(uow: UnitOfWork, actor: Identity, group_id: str, data: dict[str, Any],
           expected_version: int | None = None) -> SkillGroup:
    permissions.require_configure(actor)
    group = get(uow.session, actor, group_id)
    check_version(group, expected_version, f"Skill group {group_id}")
    before = state(group, FIELDS)
    members = data.pop("members", None)
    for key, value in data.items():
        setattr(group, key, value)
    _ensure_unique(uow.session, group)
    if members is not None:
        _set_members(uow.session, group, members)
    rules.changed(uow.session)
    save(uow, actor, group, entity="skill_group", action="updated", before=before, fields=FIELDS,
         event_cls=SkillGroupChanged, body=config_body("name"))
    return group


def get(session: Session, actor: Identity, group_id: str) -> SkillGroup:
    permissions.require_read_config(actor)
    return fetch(session, SkillGroup, group_id, "Skill group")


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[SkillGroup], str | None]:
    permissions.require_read_config(actor)
    return config_page(session, SkillGroup, query)


def to_out(session: Session, group: SkillGroup) -> dict[str, Any]:
    agents = {a.user_id: a for a in session.scalars(
        select(Agent).where(Agent.user_id.in_([m.user_id for m in group.members])))}
    loads = routing.open_loads(session, list(agents))
    members = [{"user_id": m.user_id, "capacity": m.capacity,
                "username": agents[m.user_id].username if m.user_id in agents else None,
                "active": routing.eligible(agents.get(m.user_id)), "open_tickets": loads.get(m.user_id, 0)}
               for m in group.members]
    return jsonio.to_jsonable({"id": group.id, **{k: getattr(group, k) for k in FIELDS if k != "member_list"},
                               "members": members, "created_at": group.created_at, "updated_at": group.updated_at,
                               "version": group.version})
