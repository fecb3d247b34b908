"""Leads and the public pool: one route, one call to the sales service (which enforces who sees what)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.leads import (
    ConvertOut,
    LeadConvert,
    LeadCreate,
    LeadExportOut,
    LeadExportQuery,
    LeadHistoryPage,
    LeadListQuery,
    LeadOut,
    LeadPage,
    LeadRelease,
    LeadTransfer,
    LeadUpdate,
    PoolListQuery,
    TransferOut,
)
from flask import Response
from marshmallow import Schema, fields

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("leads", __name__, description="Leads, the public pool and conversion")
LEAD = "/leads/<uuid:lead_id>"


class CreateLeadQuery(Schema):
    allow_duplicate = fields.Boolean(load_default=False, metadata={
        "description": "Create even when the lead looks like an existing lead or customer (otherwise 409)."})


@blp.operation("POST", "/leads", body=LeadCreate, query=CreateLeadQuery, response=LeadOut, status=201, etag=True,
               extra_responses=(409, 422))
def create_lead(rpc: Any, body: dict[str, Any], query: dict[str, Any]) -> Any:
    """Record a lead; graded by the rules, owned by a rep who enters it, else assigned by the rules or pooled."""
    return rpc.sales.create_lead(body, allow_duplicate=query["allow_duplicate"])


@blp.operation("GET", "/leads", query=LeadListQuery, response=LeadPage)
def list_leads(rpc: Any, query: dict[str, Any]) -> Any:
    """Leads the caller may see; `?q=` matches company, e-mail or phone."""
    return rpc.sales.list_leads(query)


@blp.operation("GET", "/leads/export", query=LeadExportQuery, response=LeadExportOut)
def export_leads(rpc: Any, query: dict[str, Any]) -> Any:
    """The leads of ``GET /leads`` as CSV (up to 5,000 a call); `next_cursor` continues.
    Formula-looking cells are prefixed with ' so a spreadsheet opens them as text. With `?format=csv`
    the answer is the file itself, for a browser to download, with the next page's cursor in the
    `X-Next-Cursor` header."""
    answer = rpc.sales.export_leads(query)
    if query["format"] != "csv":
        return answer
    return Response("\ufeff" + answer["csv"], mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="leads.csv"', "X-Next-Cursor": answer["next_cursor"] or ""})


@blp.operation("GET", "/leads/pool", query=PoolListQuery, response=LeadPage)
def list_pool(rpc: Any, query: dict[str, Any]) -> Any:
    """The public pool (公海) of the caller's region, best-scored first."""
    return rpc.sales.list_pool(query)


@blp.operation("POST", "/leads/transfer", body=LeadTransfer, response=TransferOut, extra_responses=(403, 422))
def transfer_leads(rpc: Any, body: dict[str, Any]) -> Any:
    """Managers: move named leads/opportunities, or all of one owner's, to a rep or back to the pool."""
    return rpc.sales.transfer_leads(body)


@blp.operation("GET", LEAD, response=LeadOut, etag=True)
def get_lead(rpc: Any, lead_id: UUID) -> Any:
    """One lead, with when it returns to the pool if left untouched."""
    return rpc.sales.get_lead(str(lead_id))


@blp.operation("PATCH", LEAD, body=LeadUpdate, response=LeadOut, etag=True, extra_responses=(409, 422))
def update_lead(rpc: Any, lead_id: UUID, body: dict[str, Any], expected_version: int | None) -> Any:
    """Change a lead (owner or manager); a stale If-Match answers 412."""
    return rpc.sales.update_lead(str(lead_id), body, expected_version=expected_version)


@blp.operation("GET", f"{LEAD}/history", response=LeadHistoryPage)
def lead_history(rpc: Any, lead_id: UUID) -> Any:
    """Who changed what on the lead and when (newest first)."""
    return rpc.sales.lead_history(str(lead_id))


@blp.operation("POST", f"{LEAD}/claim", response=LeadOut, etag=True, extra_responses=(409,))
def claim_lead(rpc: Any, lead_id: UUID) -> Any:
    """Take a lead from the pool; 409 when someone was first, over the claim limit or cooling down."""
    return rpc.sales.claim_lead(str(lead_id))


@blp.operation("POST", f"{LEAD}/release", body=LeadRelease, response=LeadOut, etag=True, extra_responses=(409,))
def release_lead(rpc: Any, lead_id: UUID, body: dict[str, Any]) -> Any:
    """Give a lead back to the pool (send `{}` or a `reason`)."""
    return rpc.sales.release_lead(str(lead_id), body)


@blp.operation("POST", f"{LEAD}/convert", body=LeadConvert, response=ConvertOut, status=201,
               extra_responses=(409, 422))
def convert_lead(rpc: Any, lead_id: UUID, body: dict[str, Any]) -> Any:
    """Lead → account (with the customer duplicate check: 409 with `duplicates`) + contact + opportunity."""
    return rpc.sales.convert_lead(str(lead_id), body)
