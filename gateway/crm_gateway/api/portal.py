"""The customer portal: a `customer` user's own shipments and tickets (the service desk scopes them)."""

from __future__ import annotations

from typing import Any

from crm_contracts.payloads.shipments import ShipmentListQuery, ShipmentPage
from crm_contracts.payloads.tickets import TicketCreate, TicketListQuery, TicketOut, TicketPage

from ..endpoint import ApiBlueprint
from ..security import Access

blp = ApiBlueprint("portal", __name__, description="Customer self-service portal")
CUSTOMER = Access(roles=("customer",))


@blp.operation("GET", "/portal/shipments", query=ShipmentListQuery, response=ShipmentPage, access=CUSTOMER)
def portal_shipments(rpc: Any, query: dict[str, Any]) -> Any:
    """Your shipments; `/shipments/{reference}` has each one's milestones."""
    return rpc.service_desk.list_shipments(query)


@blp.operation("GET", "/portal/tickets", query=TicketListQuery, response=TicketPage, access=CUSTOMER)
def portal_tickets(rpc: Any, query: dict[str, Any]) -> Any:
    """Your tickets; `/tickets/{id}` and its comments show the public conversation."""
    return rpc.service_desk.list_tickets(query)


@blp.operation("POST", "/portal/tickets", body=TicketCreate, response=TicketOut, status=201, access=CUSTOMER,
               etag=True, extra_responses=(422,))
def portal_raise_ticket(rpc: Any, body: dict[str, Any]) -> Any:
    """Raise a ticket for your account (priority is set by the service desk)."""
    return rpc.service_desk.create_ticket(body)
