"""Integration keys (admin only). The key is shown once, at creation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ..endpoint import ApiBlueprint
from ..runtime import runtime
from ..schemas import ApiKeyCreate, ApiKeyCreatedOut, ApiKeyListQuery, ApiKeyOut, ApiKeyPage
from ..security import ADMIN, Caller
from ..store import api_keys

blp = ApiBlueprint("api_keys", __name__, description="Integration keys for TMS, ERP and telephony")


@blp.operation("POST", "/api-keys", body=ApiKeyCreate, response=ApiKeyCreatedOut, status=201, access=ADMIN,
               extra_responses=(422,))
def create_api_key(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    """Create a key with a role and/or scopes; the answer's `key` is never shown again."""
    with runtime().db.transaction() as session:
        key, plaintext = api_keys.create(session, caller.identity, **body)
        return {**{name: getattr(key, name) for name in ApiKeyOut._declared_fields}, "key": plaintext}


@blp.operation("GET", "/api-keys", query=ApiKeyListQuery, response=ApiKeyPage, access=ADMIN)
def list_api_keys(query: dict[str, Any]) -> dict[str, Any]:
    """Keys without their secrets; `revoked=false` lists the live ones."""
    with runtime().db.session() as session:
        return api_keys.list_page(session, query)


@blp.operation("DELETE", "/api-keys/<uuid:key_id>", status=204, access=ADMIN)
def revoke_api_key(key_id: UUID) -> None:
    """Revoke a key; requests with it are refused from now on."""
    with runtime().db.transaction() as session:
        api_keys.revoke(session, str(key_id))
