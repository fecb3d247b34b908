"""Who is calling: JWT access/refresh tokens for people, X-API-Key for integrations.

Tokens carry only the user id, their type and the user's token generation; role, region and team
are read from the database on each request, so a role change, a password change or a
deactivation takes effect at once.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cachetools import TTLCache
from crm_contracts.errors import Forbidden, Unauthenticated
from crm_contracts.identity import Identity
from flask import g, request
from sqlalchemy.orm import Session

from . import portal_accounts
from .store import api_keys, users
from .store.models import User

ISSUER = "crm-gateway"
AUDIENCE = "crm-api"  # differs from the service identity's audience: neither passes for the other
ACCESS, REFRESH = "access", "refresh"


@dataclass(frozen=True)
class Caller:
    """An authenticated principal: a user, or an integration key (which may have no role)."""

    kind: str  # "user" | "api_key"
    id: str
    username: str
    role: str | None
    region: str | None = None
    team: str | None = None
    account_id: str | None = None
    scopes: tuple[str, ...] = ()

    @property
    def principal(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def identity(self) -> Identity:
        """The identity the services see; a scope-only key has none."""
        if self.role is None:
            raise Forbidden("This API key has no role; it may only use the routes of its scopes.")
        return Identity(user_id=self.id, role=self.role, username=self.username, region=self.region,
                        team=self.team, account_id=self.account_id, scopes=self.scopes)


@dataclass(frozen=True)
class Access:
    """Who may call a route. ``roles=None`` means any role; a listed scope is an alternative grant."""

    public: bool = False
    roles: tuple[str, ...] | None = None
    scopes: tuple[str, ...] = ()
    role_required: bool = True

    def allows(self, caller: Caller) -> bool:
        if any(scope in caller.scopes for scope in self.scopes):
            return True
        if self.roles is not None:
            return caller.role in self.roles
        return caller.role is not None or not self.role_required


PUBLIC = Access(public=True)
SIGNED_IN = Access()
ADMIN = Access(roles=("admin",))


class Tokens:
    def __init__(self, secret: str, access_seconds: int, refresh_seconds: int, recheck_seconds: float = 2.0) -> None:
        self._secret = secret
        self.access_seconds = access_seconds
        self.refresh_seconds = refresh_seconds
        # A user's state is re-read from the database at most every ``recheck_seconds`` per process:
        # the per-request lookup was half the cost of a request. Changes made through this process are
        # seen at once (``forget``); a deactivation made elsewhere within ``recheck_seconds``.
        self.recheck_seconds = recheck_seconds
        self._recent: TTLCache[tuple[str, Any], Caller] = TTLCache(maxsize=10_000, ttl=recheck_seconds)
        self._lock = threading.Lock()

    def _encode(self, user: User, kind: str, ttl: int) -> str:
        now = int(time.time())
        claims = {"sub": user.id, "typ": kind, "gen": user.token_generation, "iss": ISSUER, "aud": AUDIENCE,
                  "iat": now, "exp": now + ttl, "jti": uuid.uuid4().hex}
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def issue(self, user: User) -> dict[str, Any]:
        return {
            "access_token": self._encode(user, ACCESS, self.access_seconds),
            "refresh_token": self._encode(user, REFRESH, self.refresh_seconds),
            "token_type": "Bearer",
            "expires_in": self.access_seconds,
            "refresh_expires_in": self.refresh_seconds,
        }

    def caller_for(self, session: Session, token: str) -> Caller:
        """The caller an access token names, from a short-lived per-process cache of user state."""
        claims = self._claims(token, ACCESS)
        key = (str(claims["sub"]), claims.get("gen"))
        with self._lock:
            hit = self._recent.get(key)
        if hit is not None:
            return hit
        user = self._active_user(session, claims)
        caller = caller_for_user(user, account_id=portal_accounts.account_of(user))
        with self._lock:
            self._recent[key] = caller
        return caller

    def forget(self, user_id: str) -> None:
        with self._lock:
            for key in [k for k in self._recent if k[0] == str(user_id)]:
                self._recent.pop(key, None)

    def user_for(self, session: Session, token: str, kind: str) -> User:
        """The active user a valid token of ``kind`` names, else ``Unauthenticated``."""
        return self._active_user(session, self._claims(token, kind))

    def _claims(self, token: str, kind: str) -> dict[str, Any]:
        try:
            claims = jwt.decode(token, self._secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER,
                                options={"require": ["exp", "sub", "typ"]})
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("The token has expired.") from None
        except jwt.PyJWTError:
            raise Unauthenticated("The token is not valid.") from None
        if claims.get("typ") != kind:
            raise Unauthenticated(f"A {claims.get('typ')} token cannot be used here.")
        return claims

    def _active_user(self, session: Session, claims: dict[str, Any]) -> User:
        user = session.get(User, str(claims["sub"]))
        if user is None or not user.active or claims.get("gen") != user.token_generation:
            raise Unauthenticated("The token is no longer valid; sign in again.")
        return user


def caller_for_user(user: User, *, account_id: str | None = None) -> Caller:
    """``account_id``: the account a portal user acts for, when not the one bound (``portal_accounts``)."""
    return Caller(kind="user", id=user.id, username=user.username, role=user.role, region=user.region,
                  team=user.team, account_id=account_id or user.account_id)


def authenticate(session: Session, tokens: Tokens) -> Caller:
    """The caller of the current request (Bearer token first, then X-API-Key)."""
    authorization = request.headers.get("Authorization", "")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Use 'Authorization: Bearer <access token>'.")
        return tokens.caller_for(session, token.strip())
    plaintext = request.headers.get("X-API-Key")
    if plaintext:
        key = api_keys.authenticate(session, plaintext)
        if key is None:
            raise Unauthenticated("The API key is not valid.")
        return Caller(kind="api_key", id=key.id, username=f"apikey:{key.name}", role=key.role,
                      scopes=tuple(key.scopes or ()))
    raise Unauthenticated("Sign in first: send a Bearer token or an X-API-Key.")


def authorize(session: Session, tokens: Tokens, access: Access) -> Caller | None:
    """Authenticate and check ``access``; the caller is also kept in ``g.caller``."""
    if access.public:
        return None
    caller = authenticate(session, tokens)
    g.caller = caller
    if not access.allows(caller):
        raise Forbidden("Your role may not do this.")
    return caller


def login(session: Session, tokens: Tokens, username: str, password: str) -> dict[str, Any]:
    user = users.check_password(session, username, password)
    if user is None:
        raise Unauthenticated("Wrong username or password.")
    return tokens.issue(user)


def refresh(session: Session, tokens: Tokens, refresh_token: str) -> dict[str, Any]:
    return tokens.issue(tokens.user_for(session, refresh_token, REFRESH))
