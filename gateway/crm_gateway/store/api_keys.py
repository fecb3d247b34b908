"""Integration keys: shown once at creation, stored as a SHA-256 of a high-entropy secret.

A key reads ``crm_<prefix>_<secret>``; the prefix finds the row, the hash proves the secret. A
slow password hash buys nothing here because the secret has 256 bits of entropy.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import NotFound
from crm_contracts.identity import Identity
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ApiKey
from .paging import page, sort_column

KEY_PREFIX = "crm"
SCOPES = ("tms",)  # grants beyond a role: "tms" may post TMS events


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(session: Session, actor: Identity, *, name: str, role: str | None, scopes: list[str]
           ) -> tuple[ApiKey, str]:
    """Returns the stored key and its plaintext, which is never available again."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(name=name, prefix=prefix, key_hash=_digest(secret), role=role, scopes=sorted(set(scopes)),
                 created_by=actor.user_id)
    session.add(key)
    session.flush()
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


def authenticate(session: Session, plaintext: str) -> ApiKey | None:
    """The live key matching ``plaintext``, or None."""
    parts = plaintext.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or key.revoked_at is not None:
        return None
    return key if hmac.compare_digest(key.key_hash, _digest(parts[2])) else None


def revoke(session: Session, key_id: str) -> ApiKey:
    key = session.get(ApiKey, str(key_id))
    if key is None:
        raise NotFound(f"No API key {key_id}.")
    if key.revoked_at is None:  # revoking twice is harmless
        key.revoked_at = utcnow()
    return key


def list_page(session: Session, query: dict[str, Any]) -> dict[str, Any]:
    stmt = select(ApiKey)
    if query.get("revoked") is not None:
        stmt = stmt.where(ApiKey.revoked_at.is_not(None) if query["revoked"] else ApiKey.revoked_at.is_(None))
    if query.get("q"):
        stmt = stmt.where(ApiKey.name.like(f"%{query['q']}%"))
    column, descending = sort_column(ApiKey, query.get("sort"), ("created_at", "name"), "-created_at")
    rows, next_cursor = page(session, stmt, column=column, id_column=ApiKey.id, descending=descending,
                             limit=query["limit"], cursor=query.get("cursor"))
    return {"items": rows, "next_cursor": next_cursor}
