"""Opportunities, forecast and competitors."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis.rpc import rpc
from crm_contracts.chassis.validation import load
from crm_contracts.errors import EXPECTED
from crm_contracts.payloads.competitors import (
    CompetitorCreate,
    CompetitorListQuery,
    CompetitorUpdate,
    PriceSeenCreate,
    PriceSeenQuery,
)
from crm_contracts.payloads.opportunities import (
    ForecastQuery,
    OpportunityCreate,
    OpportunityListQuery,
    OpportunityUpdate,
    StageMove,
)

from .. import competitors, forecast, opportunities
from .common import Endpoints, page


class PipelineEndpoints(Endpoints):
    @rpc(expected_exceptions=EXPECTED)
    def create_opportunity(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(OpportunityCreate, payload)
        with self.writing() as uow:
            return opportunities.to_out(uow.session, opportunities.create(uow, actor, data))

    @rpc(expected_exceptions=EXPECTED)
    def get_opportunity(self, opportunity_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return opportunities.to_out(session, opportunities.get(session, actor, opportunity_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_opportunities(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(OpportunityListQuery, query)
        with self.db.reading() as session:
            items, cursor = opportunities.list_(session, actor, params)
            return {"items": opportunities.page_out(session, list(items)), "next_cursor": cursor}

    @rpc(expected_exceptions=EXPECTED)
    def update_opportunity(self, opportunity_id: str, payload: dict[str, Any],
                           expected_version: int | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(OpportunityUpdate, payload)
        with self.writing() as uow:
            opp = opportunities.update(uow, actor, opportunity_id, data, expected_version)
            return opportunities.to_out(uow.session, opp)

    @rpc(expected_exceptions=EXPECTED)
    def move_opportunity_stage(self, opportunity_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(StageMove, payload)
        with self.writing() as uow:
            return opportunities.to_out(uow.session, opportunities.move_stage(uow, actor, opportunity_id, data))

    @rpc(expected_exceptions=EXPECTED)
    def opportunity_stage_history(self, opportunity_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return {"items": opportunities.stage_history(session, actor, opportunity_id), "next_cursor": None}

    @rpc(expected_exceptions=EXPECTED)
    def forecast(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(ForecastQuery, query)
        with self.db.reading() as session:
            return forecast.forecast(session, actor, params)

    @rpc(expected_exceptions=EXPECTED)
    def create_competitor(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(CompetitorCreate, payload)
        with self.writing() as uow:
            return competitors.to_out(uow.session, actor, competitors.create(uow, actor, data))

    @rpc(expected_exceptions=EXPECTED)
    def get_competitor(self, competitor_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return competitors.to_out(session, actor, competitors.get(session, actor, competitor_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_competitors(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(CompetitorListQuery, query)
        with self.db.reading() as session:
            return page(*competitors.list_(session, actor, params), lambda c: competitors.to_out(session, actor, c))

    @rpc(expected_exceptions=EXPECTED)
    def update_competitor(self, competitor_id: str, payload: dict[str, Any],
                          expected_version: int | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(CompetitorUpdate, payload)
        with self.writing() as uow:
            competitor = competitors.update(uow, actor, competitor_id, data, expected_version)
            return competitors.to_out(uow.session, actor, competitor)

    @rpc(expected_exceptions=EXPECTED)
    def record_competitor_price(self, competitor_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(PriceSeenCreate, payload)
        with self.writing() as uow:
            return competitors.price_out(competitors.record_price(uow, actor, competitor_id, data))

    @rpc(expected_exceptions=EXPECTED)
    def list_competitor_prices(self, competitor_id: str, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(PriceSeenQuery, query)
        with self.db.reading() as session:
            return page(*competitors.list_prices(session, actor, competitor_id, params), competitors.price_out)
