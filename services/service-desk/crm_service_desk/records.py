"""Saving a change the same way for every record: audit row (who, when, old → new) and its event,
both in the caller's transaction, so the trail and the bus never disagree with the data."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import NotFound, PreconditionFailed
from crm_contracts.events import Event
from crm_contracts.identity import Identity
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AUDIT


def state(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def check_version(obj: Any, expected_version: int | None, what: str) -> None:
    if expected_version is not None and int(expected_version) != obj.version:
        raise PreconditionFailed(f"{what} has changed (version {obj.version}); reload it and try again.")


def save(uow: UnitOfWork, actor: Identity | None, obj: Any, *, entity: str, action: str,
         before: dict[str, Any], fields: Iterable[str], event_cls: type[Event],
         body: Callable[[Any, dict[str, Any]], dict[str, Any]], extra: dict[str, Any] | None = None
         ) -> dict[str, Any] | None:
    """Audit and publish ``obj``'s change since ``before``; an update that changes nothing records nothing.

    ``body(obj, changes)`` builds the event body after the flush, so it carries the new version.
    """
    changes = audit.diff(before, state(obj, fields))
    changes.update(extra or {})
    if not changes and action == "updated":
        return None
    obj.updated_at = utcnow()
    uow.session.flush()
    audit.record(uow.session, AUDIT, entity=entity, entity_id=obj.id, action=action, actor=actor,
                 changes=changes)
    uow.emit(event_cls, actor=actor, **body(obj, changes))
    return changes


def fetch(session: Session, model: type[Any], obj_id: str, label: str) -> Any:
    obj = session.get(model, str(obj_id))
    if obj is None:
        raise NotFound(f"{label} {obj_id} was not found.")
    return obj


def config_page(session: Session, model: Any, query: dict[str, Any]) -> tuple[list[Any], str | None]:
    """A page of a configuration list (skill groups, SLA policies): ``active`` filter, ``q`` on the name."""
    stmt = select(model)
    if query.get("active") is not None:
        stmt = stmt.where(model.active == query["active"])
    if query.get("q"):
        stmt = stmt.where(model.name.ilike(f"%{query['q']}%"))
    sorts = {"name": model.name, "created_at": model.created_at, "updated_at": model.updated_at}
    return paginate(session, stmt, id_column=model.id, allowed_sorts=sorts, default_sort=["name"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def config_body(name_field: str) -> Callable[[Any, dict[str, Any]], dict[str, Any]]:
    """The body of a ``*Changed`` configuration event."""
    return lambda obj, changes: {"id": obj.id, "name": getattr(obj, name_field), "changes": changes,
                                 "version": obj.version}
