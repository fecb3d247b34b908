"""New-customer review and credit (客户审核信用): one route, one call to the customer service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.accounts import AccountOut
from crm_contracts.payloads.credit import CreditOut, CreditUpdate, ReviewIn

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("credit", __name__, description="Customer review and credit")
ACCOUNT = "/accounts/<uuid:account_id>"


@blp.operation("POST", f"{ACCOUNT}/review", body=ReviewIn, response=AccountOut, etag=True,
               extra_responses=(409, 422))
def review_account(rpc: Any, account_id: UUID, body: dict[str, Any]) -> Any:
    """Approve (→ active) or reject (→ prospect, with a reason) an account waiting for review."""
    return rpc.customer.review_account(str(account_id), body)


@blp.operation("GET", f"{ACCOUNT}/credit", response=CreditOut, etag=True)
def get_credit(rpc: Any, account_id: UUID) -> Any:
    """Limit, terms, hold, receivables, overdue and utilisation (roles cleared for credit only)."""
    return rpc.customer.get_credit(str(account_id))


@blp.operation("PATCH", f"{ACCOUNT}/credit", body=CreditUpdate, response=CreditOut, etag=True,
               extra_responses=(422,))
def update_credit(rpc: Any, account_id: UUID, body: dict[str, Any], expected_version: int | None) -> Any:
    """Set limit, currency, payment terms or hold (finance); a stale If-Match answers 412."""
    return rpc.customer.update_credit(str(account_id), body, expected_version=expected_version)
