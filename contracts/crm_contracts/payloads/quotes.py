"""Rate cards per lane and freight quotes.

Chargeable quantity by mode (the rule the sales service prices with):

=====================  ===========================================  ====================
mode                   volumetric factor                            priced per
=====================  ===========================================  ====================
air                    1 : 6000 (cm³ per kg; 1 cbm = 166.67 kg)     kg, max(actual, vol)
express                1 : 5000 (1 cbm = 200 kg)                    kg, max(actual, vol)
road_ltl, rail         1 : 3000 (1 cbm = 333.33 kg)                 kg, max(actual, vol)
sea_lcl                1 cbm = 1,000 kg (W/M)                       revenue ton = max(t, cbm)
sea_fcl, road_ftl      —                                            container / truck (pieces)
=====================  ===========================================  ====================

Volume is ``volume_cbm`` or, when ``dimensions`` are given, the sum of L×W×H×pieces.
"""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from ..events.tms import MODES, UNLOCODE
from .common import CURRENCY, ListQuery, MoneySchema, Strict, page_of

INCOTERMS = ("EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP")
CARGO_TYPES = ("general", "dangerous", "reefer", "oversized")
SURCHARGE_CODES = ("fuel", "security", "customs", "pickup", "delivery", "insurance")
SURCHARGE_BASES = ("percent_freight", "per_unit", "flat", "percent_cargo_value")
QUOTE_STATUSES = ("draft", "pending_approval", "approved", "sent", "accepted", "rejected", "expired",
                  "superseded")
NON_NEGATIVE = validate.Range(min=0, error="Must not be negative.")
POSITIVE = validate.Range(min=0, min_inclusive=False, error="Must be greater than 0.")


class WeightBreak(Strict):
    min_qty = fields.Decimal(required=True, as_string=True, validate=NON_NEGATIVE,
                             metadata={"description": "From this chargeable quantity up (kg, W/M or units)."})
    rate = fields.Decimal(required=True, as_string=True, validate=NON_NEGATIVE)
    cost = fields.Decimal(load_default=None, allow_none=True, as_string=True, validate=NON_NEGATIVE,
                          metadata={"description": "Buy rate, for the margin check."})


class Surcharge(Strict):
    code = fields.String(required=True, validate=validate.OneOf(SURCHARGE_CODES))
    basis = fields.String(required=True, validate=validate.OneOf(SURCHARGE_BASES))
    value = fields.Decimal(required=True, as_string=True, validate=NON_NEGATIVE)


def _check_breaks(breaks: list[dict]) -> None:
    mins = [b["min_qty"] for b in breaks]
    if mins != sorted(set(mins)):
        raise ValidationError("Weight breaks must have distinct min_qty in ascending order.", "breaks")
    if mins and mins[0] != 0:
        raise ValidationError("The first weight break must start at 0.", "breaks")


def _check_surcharges(surcharges: list[dict]) -> None:
    codes = [s["code"] for s in surcharges]
    if len(codes) != len(set(codes)):
        raise ValidationError("Each surcharge code may appear once.", "surcharges")


class RateCardCreate(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    origin = fields.String(required=True, validate=UNLOCODE)
    destination = fields.String(required=True, validate=UNLOCODE)
    mode = fields.String(required=True, validate=validate.OneOf(MODES))
    currency = fields.String(required=True, validate=CURRENCY)
    breaks = fields.List(fields.Nested(WeightBreak), required=True, validate=validate.Length(min=1, max=50))
    min_charge = fields.Decimal(load_default=0, as_string=True, validate=NON_NEGATIVE)
    surcharges = fields.List(fields.Nested(Surcharge), load_default=list, validate=validate.Length(max=20))
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)

    @validates_schema
    def _consistent(self, data: dict, **_: object) -> None:
        if data["valid_to"] < data["valid_from"]:
            raise ValidationError("valid_to is before valid_from.", "valid_to")
        _check_breaks(data["breaks"])
        _check_surcharges(data["surcharges"])


class RateCardUpdate(Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    breaks = fields.List(fields.Nested(WeightBreak), validate=validate.Length(min=1, max=50))
    min_charge = fields.Decimal(as_string=True, validate=NON_NEGATIVE)
    surcharges = fields.List(fields.Nested(Surcharge), validate=validate.Length(max=20))
    valid_from = fields.Date()
    valid_to = fields.Date()
    active = fields.Boolean()

    @validates_schema
    def _consistent(self, data: dict, **_: object) -> None:
        if "breaks" in data:
            _check_breaks(data["breaks"])
        if "surcharges" in data:
            _check_surcharges(data["surcharges"])


class RateCardOut(Strict):
    id = fields.String(required=True)
    name = fields.String(required=True)
    origin = fields.String(required=True)
    destination = fields.String(required=True)
    mode = fields.String(required=True)
    currency = fields.String(required=True)
    basis = fields.String(required=True, metadata={"description": "kg, revenue_ton or unit"})
    breaks = fields.List(fields.Nested(WeightBreak), required=True)
    min_charge = fields.String(required=True)
    surcharges = fields.List(fields.Nested(Surcharge), required=True)
    valid_from = fields.String(required=True)
    valid_to = fields.String(required=True)
    active = fields.Boolean(required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    version = fields.Integer(required=True)


class RateCardListQuery(ListQuery):
    origin = fields.String(validate=UNLOCODE)
    destination = fields.String(validate=UNLOCODE)
    mode = fields.String(validate=validate.OneOf(MODES))
    valid_on = fields.Date()
    active = fields.Boolean()


class Dimension(Strict):
    length_cm = fields.Decimal(required=True, as_string=True, validate=POSITIVE)
    width_cm = fields.Decimal(required=True, as_string=True, validate=POSITIVE)
    height_cm = fields.Decimal(required=True, as_string=True, validate=POSITIVE)
    pieces = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))


class CargoFields(Strict):
    incoterm = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(INCOTERMS))
    cargo_type = fields.String(load_default="general", validate=validate.OneOf(CARGO_TYPES))
    pieces = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    weight_kg = fields.Decimal(required=True, as_string=True, validate=POSITIVE)
    volume_cbm = fields.Decimal(load_default=None, allow_none=True, as_string=True, validate=NON_NEGATIVE)
    dimensions = fields.List(fields.Nested(Dimension), load_default=list, validate=validate.Length(max=100))
    cargo_value = fields.Nested(MoneySchema, load_default=None, allow_none=True,
                                metadata={"description": "For insurance charged on cargo value."})
    surcharges = fields.List(fields.Nested(Surcharge), load_default=None, allow_none=True,
                             validate=validate.Length(max=20),
                             metadata={"description": "Replaces the rate card's surcharges when given."})
    discount_pct = fields.Decimal(load_default=0, as_string=True, validate=validate.Range(min=0, max=100))
    valid_until = fields.Date(load_default=None, allow_none=True,
                              metadata={"description": "Defaults to today + the policy's validity days."})
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))

    @validates_schema
    def _surcharges_once(self, data: dict, **_: object) -> None:
        if data.get("surcharges"):
            _check_surcharges(data["surcharges"])


class QuoteCreate(CargoFields):
    account_id = fields.UUID(load_default=None, allow_none=True)
    opportunity_id = fields.UUID(load_default=None, allow_none=True)
    rate_card_id = fields.UUID(load_default=None, allow_none=True,
                               metadata={"description": "Defaults to the lane's card valid today."})
    mode = fields.String(required=True, validate=validate.OneOf(MODES))
    origin = fields.String(required=True, validate=UNLOCODE)
    destination = fields.String(required=True, validate=UNLOCODE)

    @validates_schema
    def _for_someone(self, data: dict, **_: object) -> None:
        if not (data.get("account_id") or data.get("opportunity_id")):
            raise ValidationError("A quote is for an account or an opportunity.", "account_id")


class QuoteRevise(CargoFields):
    """A new version of a quote: the cargo and commercial terms again, on the same lane."""


class QuoteDecision(Strict):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class SurchargeLine(Strict):
    code = fields.String(required=True)
    basis = fields.String(required=True)
    value = fields.String(required=True)
    amount = fields.String(required=True)


class QuoteOut(Strict):
    id = fields.String(required=True)
    number = fields.String(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(QUOTE_STATUSES))
    account_id = fields.String(required=True)
    opportunity_id = fields.String(allow_none=True)
    owner_id = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    rate_card_id = fields.String(required=True)
    mode = fields.String(required=True)
    origin = fields.String(required=True)
    destination = fields.String(required=True)
    incoterm = fields.String(allow_none=True)
    cargo_type = fields.String(required=True)
    pieces = fields.Integer(required=True)
    weight_kg = fields.String(required=True)
    volume_cbm = fields.String(allow_none=True)
    dimensions = fields.List(fields.Dict(), required=True)
    chargeable = fields.String(required=True, metadata={"description": "Chargeable quantity"})
    chargeable_unit = fields.String(required=True, metadata={"description": "kg, revenue_ton or unit"})
    currency = fields.String(required=True)
    freight = fields.String(required=True)
    surcharges = fields.List(fields.Nested(SurchargeLine), required=True)
    discount_pct = fields.String(required=True)
    discount = fields.String(required=True)
    total = fields.Nested(MoneySchema, required=True)
    margin_pct = fields.String(allow_none=True)
    cargo_value = fields.Nested(MoneySchema, allow_none=True)
    approval_reasons = fields.List(fields.String(), required=True)
    approved_by = fields.String(allow_none=True)
    approved_at = fields.String(allow_none=True)
    valid_until = fields.String(required=True)
    sent_at = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)


class QuoteListQuery(ListQuery):
    account_id = fields.String()
    opportunity_id = fields.String()
    status = fields.String(validate=validate.OneOf(QUOTE_STATUSES))
    owner_id = fields.String()
    mode = fields.String(validate=validate.OneOf(MODES))
    number = fields.String()
    all_versions = fields.Boolean(load_default=False)


RateCardPage = page_of(RateCardOut, "RateCardPage")
QuotePage = page_of(QuoteOut, "QuotePage")
