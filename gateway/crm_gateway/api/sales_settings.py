"""The sales rules: grading, assignment, the pool, stages, quote and contract policy."""

from __future__ import annotations

from typing import Any

from crm_contracts.payloads.sales_settings import SalesSettings

from ..endpoint import ApiBlueprint
from ..security import ADMIN

blp = ApiBlueprint("sales_settings", __name__, description="Sales rules (admin)")


@blp.operation("GET", "/sales-settings", response=SalesSettings)
def get_settings(rpc: Any) -> Any:
    """Every section of the sales rules, defaults included."""
    return rpc.sales.get_sales_settings()


@blp.operation("PATCH", "/sales-settings", body=SalesSettings, response=SalesSettings, access=ADMIN,
               extra_responses=(422,))
def update_settings(rpc: Any, body: dict[str, Any]) -> Any:
    """Replace the sections given (each whole); the others stay."""
    return rpc.sales.update_sales_settings(body)
