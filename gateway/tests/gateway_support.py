"""Helpers for the gateway tests: users, tokens and canned service answers."""

from __future__ import annotations

from typing import Any

from crm_contracts.identity import SYSTEM
from crm_gateway.runtime import Runtime
from crm_gateway.store import users
from crm_gateway.store.models import User
from flask import Flask

PASSWORD = "correct horse battery"
ACCOUNT_ID = "6f1c3c55-8a42-4a47-9a0a-7a1f0f1e3f11"


def runtime_of(app: Flask) -> Runtime:
    return app.extensions["crm_gateway"]


def given_user(app: Flask, username: str, role: str = "sales_rep", password: str = PASSWORD,
               **fields: Any) -> User:
    if role == "customer":
        fields.setdefault("account_id", ACCOUNT_ID)
    with runtime_of(app).db.transaction() as session:
        return users.create(session, SYSTEM, username=username, password=password, role=role, **fields)


def bearer(app: Flask, user: User) -> dict[str, str]:
    with runtime_of(app).db.session() as session:
        fresh = session.get(User, user.id)
        token = runtime_of(app).tokens.issue(fresh)["access_token"]
    return {"Authorization": f"Bearer {token}"}


def account(**overrides: Any) -> dict[str, Any]:
    """An AccountOut as the customer service answers it."""
    return {"id": ACCOUNT_ID, "customer_code": "ACME", "name": "Acme Freight", "status": "active",
            "region": "east", "business_lines": [], "tags": [], "custom_attributes": {},
            "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z", "version": 3,
            **overrides}
