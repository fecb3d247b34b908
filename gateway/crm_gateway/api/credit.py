"""New-customer review and credit (客户审核信用): one route, one call to the customer service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.accounts import AccountOut
from crm_contracts.payloads.credit import CreditOut, CreditUpdate, FxRateIn, FxRateList, FxRateOut, ReviewIn

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


@blp.operation("GET", "/fx-rates", response=FxRateList)
def list_fx_rates(rpc: Any) -> Any:
    """Finance's exchange rates: what one unit of each currency is worth in the base currency (CNY)."""
    return rpc.customer.list_fx_rates()


@blp.operation("PUT", "/fx-rates/<currency>", body=FxRateIn, response=FxRateOut, etag=True,
               extra_responses=(403, 422))
def set_fx_rate(rpc: Any, currency: str, body: dict[str, Any], expected_version: int | None) -> Any:
    """Set a currency's rate (finance, admin); every account holding that currency is re-settled at once."""
    return rpc.customer.set_fx_rate(currency, body, expected_version=expected_version)
