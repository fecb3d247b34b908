"""Shipment tracking, as the service desk projects it from TMS events."""

from __future__ import annotations

from typing import Any

from crm_contracts.payloads.shipments import ShipmentListQuery, ShipmentOut, ShipmentPage

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("shipments", __name__, description="Shipment tracking")


@blp.operation("GET", "/shipments", query=ShipmentListQuery, response=ShipmentPage)
def list_shipments(rpc: Any, query: dict[str, Any]) -> Any:
    """Shipments the caller may see, e.g. `?account_id=` (without milestones)."""
    return rpc.service_desk.list_shipments(query)


@blp.operation("GET", "/shipments/<string:reference>", response=ShipmentOut)
def get_shipment(rpc: Any, reference: str) -> Any:
    """One shipment with its milestones."""
    return rpc.service_desk.get_shipment(reference)
