"""Account events as the customer service publishes them, for the read models' unit tests."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ..events import AccountCreated, AccountMerged, build, parse
from ..identity import Identity

MERGER = Identity(user_id=str(uuid.uuid4()), role="sales_manager", username="wang.li")


def account_event(code: str, *, event: type = AccountCreated, version: int = 1, tier: str = "B",
                  occurred_at: datetime | None = None, **fields: Any) -> dict[str, Any]:
    """A parsed account snapshot for ``code`` (a new account id, an owner, region east) with ``fields``."""
    body = {"account_id": str(uuid.uuid4()), "customer_code": code, "name": f"{code} Logistics", "status": "active",
            "tier": tier, "owner_id": str(uuid.uuid4()), "region": "east", "version": version, **fields}
    return parse(event, build(event, occurred_at=occurred_at, **body))


def id_of(event: dict[str, Any]) -> str:
    return str(event["account_id"])


def merged_event(survivor: dict[str, Any], duplicate: dict[str, Any], actor: Identity = MERGER) -> dict[str, Any]:
    """A parsed ``account.merged``: ``duplicate`` merged into ``survivor`` by ``actor``."""
    return parse(AccountMerged, build(AccountMerged, actor=actor, survivor_id=survivor["account_id"],
                                      survivor_code=survivor["customer_code"], duplicate_id=duplicate["account_id"],
                                      duplicate_code=duplicate["customer_code"]))
