"""Figures from the analytics service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.analytics import CustomerFiguresOut

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("analytics", __name__, description="Analytics")


@blp.operation("GET", "/analytics/customers/<uuid:account_id>", response=CustomerFiguresOut)
def get_customer_figures(rpc: Any, account_id: UUID) -> Any:
    """A customer's value figures: shipments booked, lanes, first and last activity."""
    return rpc.analytics.get_customer(str(account_id))
