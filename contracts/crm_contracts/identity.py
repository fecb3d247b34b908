"""The caller's identity, signed by the gateway and verified by every service.

The gateway authenticates people and integrations, then passes a short-lived HS256 token as nameko
context data (header ``nameko.identity``); it follows nested RPC calls on its own. Services trust
nothing else about the caller.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import jwt

from .errors import Unauthenticated

CONTEXT_KEY = "identity"
AUDIENCE = "crm-services"
ISSUER = "crm-gateway"
DEFAULT_TTL_SECONDS = 300

ROLES = (
    "admin",
    "sales_manager",
    "sales_rep",
    "service_manager",
    "service_agent",
    "marketing",
    "finance",
    "analyst",
    "customer",
)
SALES_ROLES = ("sales_manager", "sales_rep")
SERVICE_ROLES = ("service_manager", "service_agent")


@dataclass(frozen=True)
class Identity:
    user_id: str
    role: str
    username: str = ""
    region: str | None = None
    team: str | None = None
    account_id: str | None = None  # set for portal ("customer") users only
    scopes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def as_actor(self) -> dict[str, str | None]:
        """The short form carried in event bodies as ``actor``."""
        return {"user_id": self.user_id, "username": self.username, "role": self.role}


SYSTEM = Identity(user_id="00000000-0000-0000-0000-000000000000", role="admin", username="system")


def sign(identity: Identity, secret: str, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> str:
    now = int(time.time())
    claims = {k: v for k, v in asdict(identity).items() if v not in (None, (), "")}
    claims["scopes"] = list(identity.scopes)
    claims.update(iss=ISSUER, aud=AUDIENCE, iat=now, exp=now + ttl_seconds)
    return jwt.encode(claims, secret, algorithm="HS256")


def verify(token: str | None, secret: str) -> Identity:
    """Return the identity in ``token`` or raise ``Unauthenticated``."""
    if not token or not isinstance(token, str):
        raise Unauthenticated("No caller identity was supplied.")
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"The caller identity is not valid: {exc}.") from None
    role = claims.get("role")
    if role not in ROLES or not claims.get("user_id"):
        raise Unauthenticated("The caller identity names no known role.")
    return Identity(
        user_id=claims["user_id"],
        role=role,
        username=claims.get("username", ""),
        region=claims.get("region"),
        team=claims.get("team"),
        account_id=claims.get("account_id"),
        scopes=tuple(claims.get("scopes") or ()),
    )
