"""An account's history: its own audit entries and those of its contacts, relationships and credit.

Entries of records that hang off the account are found through those records (contacts moved by a
merge bring their history along). Credit entries are left out for roles that may not see credit,
and personal values in contact entries are masked for roles that may not see PII.
"""

from __future__ import annotations

from typing import Any

from crm_contracts import jsonio
from crm_contracts.errors import ValidationFailed
from crm_contracts.identity import Identity
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from . import lookup
from .access import sees_credit, sees_pii
from .contacts import redact_changes
from .models import AUDIT, Contact, Relationship


def _cursor(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit():
        raise ValidationFailed(errors={"cursor": ["Not a cursor this list gave out."]})
    return int(raw)


def account_history(session: Session, actor: Identity, account_id: str, limit: int = 50,
                    cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    account = lookup.get(session, actor, account_id)
    a = AUDIT.c
    contacts = select(Contact.id).where(Contact.account_id == account.id)
    links = select(Relationship.id).where(or_(Relationship.account_id == account.id,
                                              Relationship.related_account_id == account.id))
    own = ("account", "credit") if sees_credit(actor) else ("account",)
    stmt = select(AUDIT).where(or_(and_(a.entity.in_(own), a.entity_id == account.id),
                                   and_(a.entity == "contact", a.entity_id.in_(contacts)),
                                   and_(a.entity == "relationship", a.entity_id.in_(links))))
    before = _cursor(cursor)
    if before is not None:
        stmt = stmt.where(a.id < before)
    rows = session.execute(stmt.order_by(a.id.desc()).limit(limit + 1)).mappings().all()
    pii = sees_pii(actor)
    items = [jsonio.to_jsonable({
        "entity": r["entity"], "entity_id": r["entity_id"], "action": r["action"], "actor_id": r["actor_id"],
        "actor_name": r["actor_name"], "at": r["at"],
        "changes": r["changes"] if pii or r["entity"] != "contact" else redact_changes(r["changes"]),
    }) for r in rows[:limit]]
    return items, (str(rows[limit - 1]["id"]) if len(rows) > limit else None)

