"""Opportunities (商机): pipeline stages, stage history, weighted pipeline and forecast."""

from __future__ import annotations

from marshmallow import fields, validate

from ..events.tms import MODES, UNLOCODE
from .common import ListQuery, MoneySchema, Strict, page_of

LOST_REASONS = ("price", "service", "transit_time", "capacity", "relationship", "no_decision", "competitor",
                "other")
OPPORTUNITY_STATUSES = ("open", "won", "lost")
STAGE_KEY = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="Use 2-40 lower-case letters, digits or '_'.")


class OpportunityCreate(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    account_id = fields.UUID(required=True)
    lead_id = fields.UUID(load_default=None, allow_none=True)
    contact_id = fields.UUID(load_default=None, allow_none=True)
    owner_id = fields.UUID(load_default=None, allow_none=True)
    stage = fields.String(load_default=None, allow_none=True, validate=STAGE_KEY,
                          metadata={"description": "Defaults to the first configured stage."})
    probability = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=100),
                                 metadata={"description": "Defaults to the stage's probability."})
    amount = fields.Nested(MoneySchema, load_default=None, allow_none=True)
    expected_close = fields.Date(load_default=None, allow_none=True)
    mode = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(MODES))
    origin = fields.String(load_default=None, allow_none=True, validate=UNLOCODE)
    destination = fields.String(load_default=None, allow_none=True, validate=UNLOCODE)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    competitor_ids = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=20))


class OpportunityUpdate(Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    contact_id = fields.UUID(allow_none=True)
    owner_id = fields.UUID()
    probability = fields.Integer(validate=validate.Range(min=0, max=100))
    amount = fields.Nested(MoneySchema, allow_none=True)
    expected_close = fields.Date(allow_none=True)
    mode = fields.String(allow_none=True, validate=validate.OneOf(MODES))
    origin = fields.String(allow_none=True, validate=UNLOCODE)
    destination = fields.String(allow_none=True, validate=UNLOCODE)
    notes = fields.String(allow_none=True, validate=validate.Length(max=4000))
    competitor_ids = fields.List(fields.UUID(), validate=validate.Length(max=20))


class StageMove(Strict):
    stage = fields.String(required=True, validate=STAGE_KEY)
    lost_reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LOST_REASONS),
                                metadata={"description": "Required when moving to a lost stage."})
    lost_to_competitor_id = fields.UUID(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class OpportunityOut(Strict):
    id = fields.String(required=True)
    name = fields.String(required=True)
    account_id = fields.String(required=True)
    lead_id = fields.String(allow_none=True)
    contact_id = fields.String(allow_none=True)
    owner_id = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    stage = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(OPPORTUNITY_STATUSES))
    probability = fields.Integer(required=True)
    amount = fields.Nested(MoneySchema, allow_none=True)
    weighted_amount = fields.Nested(MoneySchema, allow_none=True)
    expected_close = fields.String(allow_none=True)
    lost_reason = fields.String(allow_none=True)
    lost_to_competitor_id = fields.String(allow_none=True)
    competitor_ids = fields.List(fields.String(), required=True)
    mode = fields.String(allow_none=True)
    origin = fields.String(allow_none=True)
    destination = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    stage_entered_at = fields.String(required=True)
    closed_at = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    version = fields.Integer(required=True)


class StageChangeOut(Strict):
    from_stage = fields.String(allow_none=True)
    to_stage = fields.String(required=True)
    at = fields.String(required=True)
    actor_id = fields.String(allow_none=True)
    seconds_in_previous = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)


class OpportunityListQuery(ListQuery):
    stage = fields.String()
    status = fields.String(validate=validate.OneOf(OPPORTUNITY_STATUSES))
    owner_id = fields.String()
    account_id = fields.String()
    region = fields.String()
    team = fields.String()
    close_from = fields.Date()
    close_to = fields.Date()


OpportunityPage = page_of(OpportunityOut, "OpportunityPage")
StageHistoryPage = page_of(StageChangeOut, "StageHistoryPage")


class ForecastQuery(Strict):
    months = fields.Integer(load_default=6, validate=validate.Range(min=1, max=36))
    start = fields.Date(load_default=None, allow_none=True,
                        metadata={"description": "First month (any day in it); defaults to this month."})
    owner_id = fields.String(load_default=None, allow_none=True)
    region = fields.String(load_default=None, allow_none=True)
    team = fields.String(load_default=None, allow_none=True)


class ForecastMonth(Strict):
    month = fields.String(required=True, metadata={"description": "YYYY-MM"})
    currency = fields.String(required=True)
    opportunities = fields.Integer(required=True)
    amount = fields.String(required=True)
    weighted = fields.String(required=True)


class PipelineStage(Strict):
    stage = fields.String(required=True)
    name = fields.String(required=True)
    probability = fields.Integer(required=True)
    currency = fields.String(required=True)
    opportunities = fields.Integer(required=True)
    amount = fields.String(required=True)
    weighted = fields.String(required=True)


class ForecastOut(Strict):
    months = fields.List(fields.Nested(ForecastMonth), required=True)
    pipeline = fields.List(fields.Nested(PipelineStage), required=True)
