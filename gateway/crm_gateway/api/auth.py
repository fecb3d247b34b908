"""Sign-in, token refresh and who-am-I."""

from __future__ import annotations

from typing import Any

from flask import request

from .. import security
from ..endpoint import ApiBlueprint
from ..runtime import runtime
from ..schemas import LoginIn, MeOut, RefreshIn, TokenPairOut
from ..security import PUBLIC, Access, Caller
from ..store import users

blp = ApiBlueprint("auth", __name__, description="Sign-in and tokens")


@blp.operation("POST", "/auth/login", body=LoginIn, response=TokenPairOut, access=PUBLIC,
               extra_responses=(401, 429))
def login(body: dict[str, Any]) -> dict[str, Any]:
    """Exchange username and password for an access and a refresh token.

    Failed attempts are rate limited per username and client address (429 with Retry-After).
    """
    rt = runtime()
    with rt.db.transaction() as session:  # a transaction: a password rehash may be saved
        return security.login(session, rt.tokens, body["username"], body["password"])


@blp.operation("POST", "/auth/refresh", body=RefreshIn, response=TokenPairOut, access=PUBLIC,
               extra_responses=(401,))
def refresh(body: dict[str, Any]) -> dict[str, Any]:
    """Exchange a refresh token for a new token pair."""
    rt = runtime()
    with rt.db.session() as session:
        return security.refresh(session, rt.tokens, body["refresh_token"])


@blp.operation("GET", "/me", response=MeOut, access=Access(role_required=False))
def me(caller: Caller) -> dict[str, Any]:
    """The signed-in user, or the integration behind an API key."""
    answer = {"kind": caller.kind, "id": caller.id, "username": caller.username, "role": caller.role,
              "region": caller.region, "team": caller.team, "account_id": caller.account_id,
              "scopes": list(caller.scopes)}
    if caller.kind == "user":
        with runtime().db.session() as session:
            user = users.get(session, caller.id)
            answer.update(email=user.email, full_name=user.full_name)
    return answer


def login_rate_key() -> str:
    """Failed sign-ins are counted per (username, client address)."""
    body = request.get_json(silent=True)
    username = body.get("username") if isinstance(body, dict) else None
    return f"{str(username or '').strip().lower()}|{request.remote_addr}"
