"""Service desk tickets: one route, one call to the service desk (which enforces who sees what)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.common import ListQuery
from crm_contracts.payloads.kb import SuggestionsOut
from crm_contracts.payloads.tickets import (
    AssignTicket,
    CloseTicket,
    CommentCreate,
    CommentOut,
    CommentPage,
    ReopenTicket,
    ResolveTicket,
    TicketCreate,
    TicketHistoryOut,
    TicketListQuery,
    TicketOut,
    TicketPage,
    TicketUpdate,
)

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("tickets", __name__, description="Service desk tickets")
TICKET = "/tickets/<uuid:ticket_id>"


@blp.operation("POST", "/tickets", body=TicketCreate, response=TicketOut, status=201, etag=True,
               extra_responses=(422,))
def create_ticket(rpc: Any, body: dict[str, Any]) -> Any:
    """Raise a ticket from any channel; priority from category × customer tier, routed at once."""
    return rpc.service_desk.create_ticket(body)


@blp.operation("GET", "/tickets", query=TicketListQuery, response=TicketPage)
def list_tickets(rpc: Any, query: dict[str, Any]) -> Any:
    """Tickets the caller may see; `?assignee_id=me`, `?breached=true`, `?q=` subject or shipment."""
    return rpc.service_desk.list_tickets(query)


@blp.operation("GET", TICKET, response=TicketOut, etag=True)
def get_ticket(rpc: Any, ticket_id: UUID) -> Any:
    """One ticket with its SLA due times."""
    return rpc.service_desk.get_ticket(str(ticket_id))


@blp.operation("PATCH", TICKET, body=TicketUpdate, response=TicketOut, etag=True, extra_responses=(409, 422))
def update_ticket(rpc: Any, ticket_id: UUID, body: dict[str, Any], expected_version: int | None) -> Any:
    """Edit a ticket; `status: pending` waits on the customer (SLA paused). Stale If-Match answers 412."""
    return rpc.service_desk.update_ticket(str(ticket_id), body, expected_version=expected_version)


@blp.operation("GET", f"{TICKET}/comments", query=ListQuery, response=CommentPage)
def list_comments(rpc: Any, ticket_id: UUID, query: dict[str, Any]) -> Any:
    """The ticket's comments, oldest first; customers see public ones only."""
    return rpc.service_desk.list_comments(str(ticket_id), query)


@blp.operation("POST", f"{TICKET}/comments", body=CommentCreate, response=CommentOut, status=201,
               extra_responses=(409, 422))
def add_comment(rpc: Any, ticket_id: UUID, body: dict[str, Any]) -> Any:
    """Add a public or internal comment with attachments' metadata."""
    return rpc.service_desk.add_comment(str(ticket_id), body)


@blp.operation("POST", f"{TICKET}/assign", body=AssignTicket, response=TicketOut, extra_responses=(409, 422))
def assign_ticket(rpc: Any, ticket_id: UUID, body: dict[str, Any]) -> Any:
    """Assign to an agent or a group; with neither, the routing rules pick the least-loaded agent."""
    return rpc.service_desk.assign_ticket(str(ticket_id), body)


@blp.operation("POST", f"{TICKET}/resolve", body=ResolveTicket, response=TicketOut, extra_responses=(409, 422))
def resolve_ticket(rpc: Any, ticket_id: UUID, body: dict[str, Any]) -> Any:
    """Resolve (complaints and claims need a `root_cause`); sends the satisfaction survey."""
    return rpc.service_desk.resolve_ticket(str(ticket_id), body)


@blp.operation("POST", f"{TICKET}/close", body=CloseTicket, response=TicketOut, extra_responses=(409,))
def close_ticket(rpc: Any, ticket_id: UUID, body: dict[str, Any]) -> Any:
    """Close a resolved ticket (an unresolved one answers 409)."""
    return rpc.service_desk.close_ticket(str(ticket_id), body)


@blp.operation("POST", f"{TICKET}/reopen", body=ReopenTicket, response=TicketOut, extra_responses=(409,))
def reopen_ticket(rpc: Any, ticket_id: UUID, body: dict[str, Any]) -> Any:
    """Reopen within the reopen window (after it: 409, open a new ticket)."""
    return rpc.service_desk.reopen_ticket(str(ticket_id), body)


@blp.operation("GET", f"{TICKET}/history", response=TicketHistoryOut)
def ticket_history(rpc: Any, ticket_id: UUID) -> Any:
    """Who changed what and when (staff only)."""
    return rpc.service_desk.ticket_history(str(ticket_id))


@blp.operation("GET", f"{TICKET}/suggestions", response=SuggestionsOut)
def ticket_suggestions(rpc: Any, ticket_id: UUID) -> Any:
    """Knowledge-base articles likely to help: the customer's SOPs, the category, the subject's words."""
    return rpc.service_desk.ticket_suggestions(str(ticket_id))
