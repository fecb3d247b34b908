"""Competitors (竞争对手管理) and the prices seen from them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.competitors import (
    CompetitorCreate,
    CompetitorListQuery,
    CompetitorOut,
    CompetitorPage,
    CompetitorUpdate,
    PriceSeenCreate,
    PriceSeenOut,
    PriceSeenPage,
    PriceSeenQuery,
)

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("competitors", __name__, description="Competitors, prices seen, win/loss")
COMPETITOR = "/competitors/<uuid:competitor_id>"


@blp.operation("POST", "/competitors", body=CompetitorCreate, response=CompetitorOut, status=201, etag=True,
               extra_responses=(409, 422))
def create_competitor(rpc: Any, body: dict[str, Any]) -> Any:
    """Record a competitor: strengths, weaknesses, lanes."""
    return rpc.sales.create_competitor(body)


@blp.operation("GET", "/competitors", query=CompetitorListQuery, response=CompetitorPage)
def list_competitors(rpc: Any, query: dict[str, Any]) -> Any:
    """Competitors with their win/loss; `?origin=&destination=&mode=` by lane."""
    return rpc.sales.list_competitors(query)


@blp.operation("GET", COMPETITOR, response=CompetitorOut, etag=True)
def get_competitor(rpc: Any, competitor_id: UUID) -> Any:
    """One competitor and how we fare against them."""
    return rpc.sales.get_competitor(str(competitor_id))


@blp.operation("PATCH", COMPETITOR, body=CompetitorUpdate, response=CompetitorOut, etag=True,
               extra_responses=(409, 422))
def update_competitor(rpc: Any, competitor_id: UUID, body: dict[str, Any], expected_version: int | None) -> Any:
    """Change a competitor's profile."""
    return rpc.sales.update_competitor(str(competitor_id), body, expected_version=expected_version)


@blp.operation("POST", f"{COMPETITOR}/prices", body=PriceSeenCreate, response=PriceSeenOut, status=201,
               extra_responses=(422,))
def record_price(rpc: Any, competitor_id: UUID, body: dict[str, Any]) -> Any:
    """A price seen from this competitor on a lane."""
    return rpc.sales.record_competitor_price(str(competitor_id), body)


@blp.operation("GET", f"{COMPETITOR}/prices", query=PriceSeenQuery, response=PriceSeenPage)
def list_prices(rpc: Any, competitor_id: UUID, query: dict[str, Any]) -> Any:
    """Prices seen, newest first."""
    return rpc.sales.list_competitor_prices(str(competitor_id), query)
