"""Contracts from accepted quotes, their templates and payment milestones."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.common import ListQuery
from crm_contracts.payloads.contracts import (
    ContractCreate,
    ContractDecision,
    ContractListQuery,
    ContractOut,
    ContractPage,
    MilestoneCreate,
    MilestonePage,
    MilestoneUpdate,
    PaymentMilestoneOut,
    TemplateCreate,
    TemplateOut,
    TemplatePage,
)

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("contracts", __name__, description="Contracts, templates and payment milestones")
CONTRACT = "/contracts/<uuid:contract_id>"


@blp.operation("POST", "/contract-templates", body=TemplateCreate, response=TemplateOut, status=201,
               extra_responses=(422,))
def create_template(rpc: Any, body: dict[str, Any]) -> Any:
    """A contract template with {placeholders} and a payment plan (percent of the total, days after start)."""
    return rpc.sales.create_contract_template(body)


@blp.operation("GET", "/contract-templates", query=ListQuery, response=TemplatePage)
def list_templates(rpc: Any, query: dict[str, Any]) -> Any:
    """Contract templates."""
    return rpc.sales.list_contract_templates(query)


@blp.operation("POST", "/contracts", body=ContractCreate, response=ContractOut, status=201, etag=True,
               extra_responses=(409, 422))
def create_contract(rpc: Any, body: dict[str, Any]) -> Any:
    """Draw up a contract from an accepted quote; it waits for a manager's approval."""
    return rpc.sales.create_contract(body)


@blp.operation("GET", "/contracts", query=ContractListQuery, response=ContractPage)
def list_contracts(rpc: Any, query: dict[str, Any]) -> Any:
    """Contracts the caller may see."""
    return rpc.sales.list_contracts(query)


@blp.operation("GET", CONTRACT, response=ContractOut, etag=True)
def get_contract(rpc: Any, contract_id: UUID) -> Any:
    """One contract with its milestones."""
    return rpc.sales.get_contract(str(contract_id))


@blp.operation("POST", f"{CONTRACT}/approve", body=ContractDecision, response=ContractOut, etag=True,
               extra_responses=(403, 409))
def approve_contract(rpc: Any, contract_id: UUID, body: dict[str, Any]) -> Any:
    """A sales manager of the region approves (or, with `approve: false`, rejects) a pending contract."""
    return rpc.sales.decide_contract(str(contract_id), body)


@blp.operation("GET", f"{CONTRACT}/milestones", response=MilestonePage)
def list_milestones(rpc: Any, contract_id: UUID) -> Any:
    """Payment milestones, by due date."""
    return rpc.sales.list_milestones(str(contract_id))


@blp.operation("POST", f"{CONTRACT}/milestones", body=MilestoneCreate, response=PaymentMilestoneOut, status=201,
               extra_responses=(409, 422))
def add_milestone(rpc: Any, contract_id: UUID, body: dict[str, Any]) -> Any:
    """Add a payment milestone."""
    return rpc.sales.add_milestone(str(contract_id), body)


@blp.operation("PATCH", f"{CONTRACT}/milestones/<uuid:milestone_id>", body=MilestoneUpdate,
               response=PaymentMilestoneOut, extra_responses=(409, 422))
def update_milestone(rpc: Any, contract_id: UUID, milestone_id: UUID, body: dict[str, Any]) -> Any:
    """Record a payment (`paid_on`) or move a due date."""
    return rpc.sales.update_milestone(str(contract_id), str(milestone_id), body)
