"""Customers: one route, one call to the customer service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.accounts import (
    Account360Out,
    AccountCreate,
    AccountListQuery,
    AccountOut,
    AccountPage,
    AccountUpdate,
)
from marshmallow import Schema, fields

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("accounts", __name__, description="Customers (accounts)")


class CreateAccountQuery(Schema):
    allow_duplicate = fields.Boolean(load_default=False, metadata={
        "description": "Create even when likely duplicates exist (otherwise 409 with `duplicates`)."})


@blp.operation("POST", "/accounts", body=AccountCreate, query=CreateAccountQuery, response=AccountOut,
               status=201, etag=True, extra_responses=(409, 422))
def create_account(rpc: Any, body: dict[str, Any], query: dict[str, Any]) -> Any:
    """Create a customer; a likely duplicate answers 409 with the `duplicates` candidates."""
    return rpc.customer.create_account(body, allow_duplicate=query["allow_duplicate"])


@blp.operation("GET", "/accounts", query=AccountListQuery, response=AccountPage)
def list_accounts(rpc: Any, query: dict[str, Any]) -> Any:
    """Customers the caller may see."""
    return rpc.customer.list_accounts(query)


@blp.operation("GET", "/accounts/<uuid:account_id>", response=AccountOut, etag=True)
def get_account(rpc: Any, account_id: UUID) -> Any:
    """One customer."""
    return rpc.customer.get_account(str(account_id))


@blp.operation("PATCH", "/accounts/<uuid:account_id>", body=AccountUpdate, response=AccountOut, etag=True,
               extra_responses=(409, 422))
def update_account(rpc: Any, account_id: UUID, body: dict[str, Any], expected_version: int | None) -> Any:
    """Change a customer; with If-Match a stale version answers 412."""
    return rpc.customer.update_account(str(account_id), body, expected_version=expected_version)


@blp.operation("GET", "/accounts/<uuid:account_id>/360", response=Account360Out)
def get_account_360(rpc: Any, account_id: UUID) -> Any:
    """The whole customer in one answer; `degraded` names sections a service could not supply."""
    return rpc.customer.get_account_360(str(account_id))
