"""The audit trail: who changed which record when, field by field (old → new)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, insert, select
from sqlalchemy.orm import Session

from .. import jsonio
from ..identity import Identity
from .types import UtcDateTime, utcnow


def add_audit_table(metadata: MetaData) -> Table:
    return Table(
        "audit_log",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("entity", String(50), nullable=False),
        Column("entity_id", String(64), nullable=False, index=True),
        Column("action", String(50), nullable=False),
        Column("actor_id", String(36), nullable=True),
        Column("actor_name", String(100), nullable=True),
        Column("at", UtcDateTime, nullable=False),
        Column("changes", JSON, nullable=False),
    )


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{field: {"old": ..., "new": ...}}`` for the fields whose value changed."""
    return {
        key: {"old": jsonio.to_jsonable(before.get(key)), "new": jsonio.to_jsonable(after.get(key))}
        for key in after
        if before.get(key) != after.get(key)
    }


def record(session: Session, table: Table, *, entity: str, entity_id: Any, action: str,
           actor: Identity | None, changes: Mapping[str, Any]) -> None:
    session.execute(insert(table).values(
        entity=entity, entity_id=str(entity_id), action=action,
        actor_id=actor.user_id if actor else None, actor_name=actor.username if actor else None,
        at=utcnow(), changes=jsonio.to_jsonable(dict(changes)),
    ))


def history(session: Session, table: Table, *, entity: str, entity_id: Any,
            limit: int = 200) -> list[dict[str, Any]]:
    rows = session.execute(
        select(table).where(table.c.entity == entity, table.c.entity_id == str(entity_id))
        .order_by(table.c.id.desc()).limit(limit)
    ).mappings()
    return [{"action": r["action"], "actor_id": r["actor_id"], "actor_name": r["actor_name"],
             "at": jsonio.to_jsonable(r["at"]), "changes": r["changes"]} for r in rows]
