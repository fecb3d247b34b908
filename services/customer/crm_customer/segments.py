"""Saved segments: named filters shared across the company, evaluated on demand in the database.

Anyone on the sales or marketing side may save one; its owner or an admin changes or removes it.
Listing a segment's accounts applies the caller's own visibility, so a shared segment never shows
a rep more than they could list themselves.
"""

from __future__ import annotations

from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, Forbidden, NotFound
from crm_contracts.events.customer import SegmentCreated, SegmentDeleted, SegmentUpdated
from crm_contracts.identity import Identity
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import lookup
from .access import SEGMENT_READERS, SEGMENT_WRITERS, require
from .concurrency import flush
from .models import AUDIT, Segment

FIELDS = ("name", "description", "definition")
SORTS = {"name": Segment.name, "created_at": Segment.created_at, "updated_at": Segment.updated_at}


def _state(segment: Segment) -> dict[str, Any]:
    return {k: getattr(segment, k) for k in FIELDS}


def _publish(uow: UnitOfWork, actor: Identity, segment: Segment, action: str, changes: dict[str, Any]) -> None:
    audit.record(uow.session, AUDIT, entity="segment", entity_id=segment.id, action=action, actor=actor,
                 changes=changes)
    event = {"created": SegmentCreated, "updated": SegmentUpdated, "deleted": SegmentDeleted}[action]
    uow.emit(event, actor=actor, segment_id=segment.id, name=segment.name, definition=segment.definition,
             owner_id=segment.owner_id, version=segment.version)


def _unique_name(session: Session, name: str, segment_id: str | None = None) -> None:
    clash = session.scalar(select(Segment.id).where(Segment.name == name))
    if clash is not None and clash != segment_id:
        raise Conflict(f"A segment named {name!r} already exists.", errors={"name": ["Already used."]})


def create(uow: UnitOfWork, actor: Identity, data: dict[str, Any]) -> Segment:
    require(actor, SEGMENT_WRITERS, "save segments")
    _unique_name(uow.session, data["name"])
    now = utcnow()
    segment = Segment(**data, owner_id=actor.user_id, created_at=now, updated_at=now)
    uow.session.add(segment)
    flush(uow.session, f"Segment {data['name']}")
    _publish(uow, actor, segment, "created", audit.diff({}, _state(segment)))
    return segment


def get(session: Session, actor: Identity, segment_id: Any) -> Segment:
    require(actor, SEGMENT_READERS, "use segments")
    segment = session.get(Segment, str(segment_id))
    if segment is None:
        raise NotFound(f"Segment {segment_id} was not found.")
    return segment


def _writable(session: Session, actor: Identity, segment_id: Any, expected_version: int | None) -> Segment:
    segment = get(session, actor, segment_id)
    require(actor, SEGMENT_WRITERS, "change segments")
    if segment.owner_id != actor.user_id and not actor.is_admin:
        raise Forbidden("Only the segment's owner or an admin may change it.")
    lookup.check_version(f"Segment {segment_id}", segment.version, expected_version)
    return segment


def update(uow: UnitOfWork, actor: Identity, segment_id: Any, data: dict[str, Any],
           expected_version: int | None = None) -> Segment:
    segment = _writable(uow.session, actor, segment_id, expected_version)
    if "name" in data:
        _unique_name(uow.session, data["name"], segment.id)
    before = _state(segment)
    for key, value in data.items():
        setattr(segment, key, value)
    changes = audit.diff(before, _state(segment))
    if changes:
        segment.updated_at = utcnow()
        flush(uow.session, f"Segment {segment.name}")
        _publish(uow, actor, segment, "updated", changes)
    return segment


def delete_(uow: UnitOfWork, actor: Identity, segment_id: Any, expected_version: int | None = None) -> None:
    segment = _writable(uow.session, actor, segment_id, expected_version)
    _publish(uow, actor, segment, "deleted", audit.diff(_state(segment), {k: None for k in FIELDS}))
    uow.session.delete(segment)


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[Segment], str | None]:
    require(actor, SEGMENT_READERS, "use segments")
    stmt = select(Segment)
    if query.get("owner_id"):
        stmt = stmt.where(Segment.owner_id == query["owner_id"])
    if query.get("q"):
        stmt = stmt.where(Segment.name.ilike(f"%{query['q'].strip()}%"))
    return paginate(session, stmt, id_column=Segment.id, allowed_sorts=SORTS, default_sort=["name"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def to_out(segment: Segment) -> dict[str, Any]:
    return jsonio.to_jsonable({"id": segment.id, **_state(segment), "owner_id": segment.owner_id,
                               "created_at": segment.created_at, "updated_at": segment.updated_at,
                               "version": segment.version})
