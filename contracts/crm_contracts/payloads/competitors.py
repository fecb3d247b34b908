"""Competitors (竞争对手管理): who they are, where they compete, prices seen, win/loss against them."""

from __future__ import annotations

from marshmallow import fields, validate

from ..events.tms import MODES, UNLOCODE
from .common import ListQuery, MoneySchema, Strict, page_of

PRICE_UNITS = ("per_kg", "per_cbm", "per_container", "per_shipment")
TAGS = {"validate": validate.Length(max=20)}


class Lane(Strict):
    origin = fields.String(required=True, validate=UNLOCODE)
    destination = fields.String(required=True, validate=UNLOCODE)
    mode = fields.String(required=True, validate=validate.OneOf(MODES))


class CompetitorCreate(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    website = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    strengths = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list, **TAGS)
    weaknesses = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list, **TAGS)
    lanes = fields.List(fields.Nested(Lane), load_default=list, validate=validate.Length(max=200))
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


class CompetitorUpdate(Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    website = fields.String(allow_none=True, validate=validate.Length(max=300))
    strengths = fields.List(fields.String(validate=validate.Length(min=1, max=200)), **TAGS)
    weaknesses = fields.List(fields.String(validate=validate.Length(min=1, max=200)), **TAGS)
    lanes = fields.List(fields.Nested(Lane), validate=validate.Length(max=200))
    notes = fields.String(allow_none=True, validate=validate.Length(max=4000))


class WinLoss(Strict):
    opportunities = fields.Integer(required=True, metadata={"description": "Opportunities they competed in."})
    open = fields.Integer(required=True)
    won = fields.Integer(required=True, metadata={"description": "We won against them."})
    lost = fields.Integer(required=True, metadata={"description": "We lost (to anyone) with them in play."})
    lost_to_them = fields.Integer(required=True)
    win_rate = fields.Float(allow_none=True, metadata={"description": "won / (won + lost)"})


class CompetitorOut(Strict):
    id = fields.String(required=True)
    name = fields.String(required=True)
    website = fields.String(allow_none=True)
    strengths = fields.List(fields.String(), required=True)
    weaknesses = fields.List(fields.String(), required=True)
    lanes = fields.List(fields.Nested(Lane), required=True)
    notes = fields.String(allow_none=True)
    win_loss = fields.Nested(WinLoss, required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    version = fields.Integer(required=True)


class PriceSeenCreate(Strict):
    origin = fields.String(required=True, validate=UNLOCODE)
    destination = fields.String(required=True, validate=UNLOCODE)
    mode = fields.String(required=True, validate=validate.OneOf(MODES))
    price = fields.Nested(MoneySchema, required=True)
    unit = fields.String(required=True, validate=validate.OneOf(PRICE_UNITS))
    seen_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "Defaults to today."})
    opportunity_id = fields.UUID(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class PriceSeenOut(Strict):
    id = fields.String(required=True)
    competitor_id = fields.String(required=True)
    origin = fields.String(required=True)
    destination = fields.String(required=True)
    mode = fields.String(required=True)
    price = fields.Nested(MoneySchema, required=True)
    unit = fields.String(required=True)
    seen_on = fields.String(required=True)
    opportunity_id = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    recorded_at = fields.String(required=True)


class CompetitorListQuery(ListQuery):
    origin = fields.String(validate=UNLOCODE)
    destination = fields.String(validate=UNLOCODE)
    mode = fields.String(validate=validate.OneOf(MODES))


class PriceSeenQuery(ListQuery):
    origin = fields.String(validate=UNLOCODE)
    destination = fields.String(validate=UNLOCODE)
    mode = fields.String(validate=validate.OneOf(MODES))


CompetitorPage = page_of(CompetitorOut, "CompetitorPage")
PriceSeenPage = page_of(PriceSeenOut, "PriceSeenPage")
