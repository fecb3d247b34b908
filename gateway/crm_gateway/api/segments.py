"""Saved customer segments (tags and fields with AND / OR / NOT): one route, one call to the customer service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.accounts import AccountListQuery, AccountPage
from crm_contracts.payloads.segments import SegmentCreate, SegmentListQuery, SegmentOut, SegmentPage, SegmentUpdate

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("segments", __name__, description="Customer segments")
SEGMENT = "/segments/<uuid:segment_id>"


@blp.operation("GET", "/segments", query=SegmentListQuery, response=SegmentPage)
def list_segments(rpc: Any, query: dict[str, Any]) -> Any:
    """Saved segments."""
    return rpc.customer.list_segments(query)


@blp.operation("POST", "/segments", body=SegmentCreate, response=SegmentOut, status=201, etag=True,
               extra_responses=(409, 422))
def create_segment(rpc: Any, body: dict[str, Any]) -> Any:
    """Save a filter, e.g. `{"and": [{"tag": "vip"}, {"not": {"field": "status", "op": "eq", "value": "churned"}}]}`."""
    return rpc.customer.create_segment(body)


@blp.operation("GET", SEGMENT, response=SegmentOut, etag=True)
def get_segment(rpc: Any, segment_id: UUID) -> Any:
    """One segment."""
    return rpc.customer.get_segment(str(segment_id))


@blp.operation("PATCH", SEGMENT, body=SegmentUpdate, response=SegmentOut, etag=True, extra_responses=(409, 422))
def update_segment(rpc: Any, segment_id: UUID, body: dict[str, Any], expected_version: int | None) -> Any:
    """Change a segment (its owner or an admin)."""
    return rpc.customer.update_segment(str(segment_id), body, expected_version=expected_version)


@blp.operation("DELETE", SEGMENT, status=204)
def delete_segment(rpc: Any, segment_id: UUID, expected_version: int | None) -> Any:
    """Remove a segment (its owner or an admin)."""
    return rpc.customer.delete_segment(str(segment_id), expected_version=expected_version)


@blp.operation("GET", f"{SEGMENT}/accounts", query=AccountListQuery, response=AccountPage)
def segment_accounts(rpc: Any, segment_id: UUID, query: dict[str, Any]) -> Any:
    """The accounts the segment matches that you may see, evaluated now in the database."""
    return rpc.customer.segment_accounts(str(segment_id), query)
