"""An account's audit trail, and retiring an account: one route, one call to the customer service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.accounts import HistoryPage, HistoryQuery

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("account_admin", __name__, description="Account history and deletion")


@blp.operation("GET", "/accounts/<uuid:account_id>/history", query=HistoryQuery, response=HistoryPage)
def account_history(rpc: Any, account_id: UUID, query: dict[str, Any]) -> Any:
    """Who changed what and when on the account, its contacts, relationships and credit (newest first)."""
    return rpc.customer.account_history(str(account_id), query)


@blp.operation("DELETE", "/accounts/<uuid:account_id>", status=204)
def delete_account(rpc: Any, account_id: UUID, expected_version: int | None) -> Any:
    """Retire an account for good (admin); its code and history stay, reads answer 404."""
    return rpc.customer.delete_account(str(account_id), expected_version=expected_version)
