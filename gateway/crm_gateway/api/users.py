"""User administration (admin only). Each change publishes a user event through the outbox."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ..endpoint import ApiBlueprint
from ..runtime import runtime
from ..schemas import UserCreate, UserListQuery, UserOut, UserPage, UserUpdate
from ..security import ADMIN, Caller
from ..store import users
from ..store.models import User

blp = ApiBlueprint("users", __name__, description="Users, roles, regions and teams")


@blp.operation("POST", "/users", body=UserCreate, response=UserOut, status=201, access=ADMIN, etag=True,
               extra_responses=(409, 422))
def create_user(caller: Caller, body: dict[str, Any]) -> User:
    """Create a user; a customer (portal) user needs an account_id."""
    with runtime().db.transaction() as session:
        return users.create(session, caller.identity, **body)


@blp.operation("GET", "/users", query=UserListQuery, response=UserPage, access=ADMIN)
def list_users(query: dict[str, Any]) -> dict[str, Any]:
    """Users, filtered by role, region, team or active; `q` searches username, name and email."""
    with runtime().db.session() as session:
        return users.list_page(session, query)


@blp.operation("GET", "/users/<uuid:user_id>", response=UserOut, access=ADMIN, etag=True)
def get_user(user_id: UUID) -> User:
    """One user."""
    with runtime().db.session() as session:
        return users.get(session, str(user_id))


@blp.operation("PATCH", "/users/<uuid:user_id>", body=UserUpdate, response=UserOut, access=ADMIN, etag=True,
               extra_responses=(409, 422))
def update_user(caller: Caller, user_id: UUID, body: dict[str, Any], expected_version: int | None) -> User:
    """Change role, region, team, contact fields or password; `active=false` deactivates.

    Deactivating signs the user out everywhere and publishes `user.deactivated` with the optional
    `successor_id`, who takes over the user's leads; without one they return to the pool.
    """
    with runtime().db.transaction() as session:
        user = users.update(session, caller.identity, str(user_id), body, expected_version)
    runtime().tokens.forget(str(user_id))
    return user
