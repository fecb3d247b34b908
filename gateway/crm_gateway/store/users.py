"""People who sign in: creation, changes, deactivation, password checks and the first admin.

Every change stages the matching ``crm_contracts.events.gateway`` event in the outbox of the same
transaction, so services learn about users exactly when the change committed.
"""

from __future__ import annotations

import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from crm_contracts.chassis.outbox import emit
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from crm_contracts.events.gateway import UserCreated, UserDeactivated, UserUpdated
from crm_contracts.identity import SYSTEM, Identity
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .db import KICK_RELAY
from .models import OUTBOX, User
from .paging import page, sort_column

HASHER = PasswordHasher()
# Verified against when the username is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
SNAPSHOT_FIELDS = ("username", "role", "email", "full_name", "language", "time_zone", "region", "team", "account_id",
                   "active")
CHANGEABLE = ("role", "region", "team", "email", "full_name", "language", "time_zone", "account_id", "active")


def snapshot(user: User) -> dict[str, Any]:
    return {"user_id": user.id, **{name: getattr(user, name) for name in SNAPSHOT_FIELDS}}


def _stage(session: Session, event_cls: type, actor: Identity, user: User, **extra: Any) -> None:
    emit(session, OUTBOX, event_cls, actor=actor, **snapshot(user), **extra)
    session.info[KICK_RELAY] = True


def _check_portal_binding(role: str, account_id: str | None) -> None:
    if role == "customer" and not account_id:
        raise ValidationFailed(errors={"account_id": ["Required for role customer."]})
    if role != "customer" and account_id:
        raise ValidationFailed(errors={"account_id": ["Only customer (portal) users are bound to an account."]})


def get(session: Session, user_id: str) -> User:
    user = session.get(User, str(user_id))
    if user is None:
        raise NotFound(f"No user {user_id}.")
    return user


def find_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def create(session: Session, actor: Identity, *, username: str, password: str, role: str, **fields: Any) -> User:
    _check_portal_binding(role, fields.get("account_id"))
    username = username.strip().lower()
    if find_by_username(session, username) is not None:
        raise Conflict(f"The username {username!r} is taken.")
    user = User(username=username, password_hash=HASHER.hash(password), role=role, active=True,
                token_generation=0, **fields)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # a racing create of the same username
        raise Conflict(f"The username {username!r} is taken.") from exc
    _stage(session, UserCreated, actor, user)
    return user


def _ensure_an_admin_remains(session: Session, user: User, changes: dict[str, Any]) -> None:
    loses_admin = user.role == "admin" and user.active and (
        changes.get("role", "admin") != "admin" or changes.get("active", True) is False)
    if not loses_admin:
        return
    others = session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True), User.id != user.id))
    if not others:
        raise Conflict("This is the last active admin; make another admin first.")


def _check_successor(session: Session, user: User, successor_id: str | None) -> None:
    if successor_id is None:
        return
    successor = session.get(User, str(successor_id))
    if successor is None or not successor.active or successor.id == user.id:
        raise ValidationFailed(errors={"successor_id": ["Must name another active user."]})


def update(session: Session, actor: Identity, user_id: str, changes: dict[str, Any],
           expected_version: int | None = None) -> User:
    """Apply ``changes`` (role/region/team/active/password/...); deactivation may name a successor."""
    user = get(session, user_id)
    if expected_version is not None and expected_version != user.version:
        raise PreconditionFailed(f"The user changed (version {user.version}); reload and retry.")
    changes = dict(changes)
    successor_id = changes.pop("successor_id", None)
    password = changes.pop("password", None)
    _ensure_an_admin_remains(session, user, changes)
    _check_portal_binding(changes.get("role", user.role), changes.get("account_id", user.account_id))
    deactivating = user.active and changes.get("active") is False
    if deactivating:
        _check_successor(session, user, successor_id)
    changed = {k: v for k, v in changes.items() if k in CHANGEABLE and getattr(user, k) != v}
    if not changed and password is None:
        return user
    for name, value in changed.items():
        setattr(user, name, value)
    if password is not None:
        user.password_hash = HASHER.hash(password)
    if password is not None or deactivating:
        user.token_generation += 1  # signs out every session of this user
    user.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError as exc:  # a concurrent PATCH committed first
        raise PreconditionFailed("The user changed meanwhile; reload and retry.") from exc
    if deactivating:
        _stage(session, UserDeactivated, actor, user, successor_id=successor_id)
    else:
        _stage(session, UserUpdated, actor, user)
    return user


def list_page(session: Session, query: dict[str, Any]) -> dict[str, Any]:
    stmt = select(User)
    for name in ("role", "region", "team", "active"):
        if query.get(name) is not None:
            stmt = stmt.where(getattr(User, name) == query[name])
    if query.get("q"):
        like = f"%{query['q'].lower()}%"
        stmt = stmt.where(or_(User.username.like(like), func.lower(User.full_name).like(like),
                              func.lower(User.email).like(like)))
    column, descending = sort_column(User, query.get("sort"), ("username", "created_at"), "username")
    rows, next_cursor = page(session, stmt, column=column, id_column=User.id, descending=descending,
                             limit=query["limit"], cursor=query.get("cursor"))
    return {"items": rows, "next_cursor": next_cursor}


def check_password(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same cost whether or not the user exists)."""
    user = find_by_username(session, username)
    try:
        HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    return user


def ensure_first_admin(session: Session, username: str, password: str | None) -> tuple[str, str] | None:
    """Create an admin when there is no active one; returns (username, password) when it did."""
    exists = session.scalar(select(User.id).where(User.role == "admin", User.active.is_(True)).limit(1))
    if exists:
        return None
    password = password or secrets.token_urlsafe(18)
    user = create(session, SYSTEM, username=username, password=password, role="admin", full_name="Administrator")
    return user.username, password
