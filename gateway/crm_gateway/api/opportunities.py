"""Opportunities (商机), stage moves and the forecast: one route, one call to the sales service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.opportunities import (
    ForecastOut,
    ForecastQuery,
    OpportunityCreate,
    OpportunityListQuery,
    OpportunityOut,
    OpportunityPage,
    OpportunityUpdate,
    StageHistoryPage,
    StageMove,
)

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("opportunities", __name__, description="Opportunities and the pipeline")
OPPORTUNITY = "/opportunities/<uuid:opportunity_id>"


@blp.operation("POST", "/opportunities", body=OpportunityCreate, response=OpportunityOut, status=201, etag=True,
               extra_responses=(422,))
def create_opportunity(rpc: Any, body: dict[str, Any]) -> Any:
    """Open an opportunity on an account; it starts in the first stage with that stage's probability."""
    return rpc.sales.create_opportunity(body)


@blp.operation("GET", "/opportunities", query=OpportunityListQuery, response=OpportunityPage)
def list_opportunities(rpc: Any, query: dict[str, Any]) -> Any:
    """The pipeline the caller may see."""
    return rpc.sales.list_opportunities(query)


@blp.operation("GET", "/opportunities/forecast", query=ForecastQuery, response=ForecastOut)
def forecast(rpc: Any, query: dict[str, Any]) -> Any:
    """Weighted pipeline by stage and forecast by month of expected close, per currency."""
    return rpc.sales.forecast(query)


@blp.operation("GET", OPPORTUNITY, response=OpportunityOut, etag=True)
def get_opportunity(rpc: Any, opportunity_id: UUID) -> Any:
    """One opportunity with its weighted amount."""
    return rpc.sales.get_opportunity(str(opportunity_id))


@blp.operation("PATCH", OPPORTUNITY, body=OpportunityUpdate, response=OpportunityOut, etag=True,
               extra_responses=(409, 422))
def update_opportunity(rpc: Any, opportunity_id: UUID, body: dict[str, Any], expected_version: int | None) -> Any:
    """Change amount, close date, competitors…; stages move through `/stage`."""
    return rpc.sales.update_opportunity(str(opportunity_id), body, expected_version=expected_version)


@blp.operation("POST", f"{OPPORTUNITY}/stage", body=StageMove, response=OpportunityOut, etag=True,
               extra_responses=(409, 422))
def move_stage(rpc: Any, opportunity_id: UUID, body: dict[str, Any]) -> Any:
    """Move to a stage (recorded with time in stage); closed ones do not move (409); lost needs a reason."""
    return rpc.sales.move_opportunity_stage(str(opportunity_id), body)


@blp.operation("GET", f"{OPPORTUNITY}/stage", response=StageHistoryPage)
def stage_history(rpc: Any, opportunity_id: UUID) -> Any:
    """Every stage the opportunity went through and how long it stayed."""
    return rpc.sales.opportunity_stage_history(str(opportunity_id))
