"""Hierarchy and parties around a customer: one route, one call to the customer service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.relationships import (
    RelationshipCreate,
    RelationshipListQuery,
    RelationshipOut,
    RelationshipPage,
)

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("relationships", __name__, description="Account relationships (hierarchy and parties)")
LINKS = "/accounts/<uuid:account_id>/relationships"


@blp.operation("GET", LINKS, query=RelationshipListQuery, response=RelationshipPage)
def list_relationships(rpc: Any, account_id: UUID, query: dict[str, Any]) -> Any:
    """Links from and to the account whose other end you may see."""
    return rpc.customer.list_relationships(str(account_id), query)


@blp.operation("POST", LINKS, body=RelationshipCreate, response=RelationshipOut, status=201,
               extra_responses=(409, 422))
def create_relationship(rpc: Any, account_id: UUID, body: dict[str, Any]) -> Any:
    """Link another account as this one's parent, branch, supplier, customs broker, ...; a cycle answers 409."""
    return rpc.customer.create_relationship(str(account_id), body)


@blp.operation("DELETE", f"{LINKS}/<uuid:relationship_id>", status=204)
def delete_relationship(rpc: Any, account_id: UUID, relationship_id: UUID) -> Any:
    """Remove a link."""
    return rpc.customer.delete_relationship(str(account_id), str(relationship_id))
