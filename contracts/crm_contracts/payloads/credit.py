"""New-customer review and credit (客户审核信用): the decision, the terms, and the balance."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from .common import CURRENCY, MoneySchema, Strict

DECISIONS = ("approve", "reject")


class ReviewIn(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))

    @validates_schema
    def _reason_for_rejection(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            raise ValidationError("A rejection needs a reason.", "reason")


class CreditLimitIn(MoneySchema):
    amount = fields.Decimal(required=True, as_string=True, places=2,
                            validate=validate.Range(min=0, max=10**15))


class CreditUpdate(Strict):
    credit_limit = fields.Nested(CreditLimitIn, allow_none=True,
                                 metadata={"description": "null: no credit line (cash customer)"})
    payment_terms_days = fields.Integer(validate=validate.Range(min=0, max=365))
    credit_hold = fields.Boolean()
    hold_reason = fields.String(allow_none=True, validate=validate.Length(max=500))

    @validates_schema
    def _hold_needs_reason(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("credit_hold") is True and not (data.get("hold_reason") or "").strip():
            raise ValidationError("Putting an account on hold needs a reason.", "hold_reason")


class MoneyOut(Strict):
    amount = fields.String(required=True)
    currency = fields.String(required=True)


class CreditOut(Strict):
    account_id = fields.String(required=True)
    credit_limit = fields.Nested(MoneyOut, allow_none=True)
    currency = fields.String(required=True, metadata={"description": "Currency of the limit and balances"})
    payment_terms_days = fields.Integer(required=True)
    credit_hold = fields.Boolean(required=True)
    hold_reason = fields.String(allow_none=True)
    receivables = fields.Nested(MoneyOut, required=True, metadata={"description": "Invoiced minus paid"})
    overdue = fields.Nested(MoneyOut, required=True, metadata={"description": "Unpaid past the due date"})
    other_currencies = fields.List(fields.Nested(MoneyOut), metadata={
        "description": "Receivables in currencies other than the limit's, each in its own currency; those with "
                       "an exchange rate are counted (converted) in receivables, overdue and utilisation"})
    unconverted = fields.List(fields.String(), metadata={
        "description": "Currencies with receivables but no exchange rate: not counted until finance sets one"})
    utilisation = fields.String(allow_none=True, metadata={"description": "receivables / limit, e.g. '0.8125'"})
    over_limit = fields.Boolean(required=True)
    updated_at = fields.String(allow_none=True)
    version = fields.Integer(required=True)


class FxRateIn(Strict):
    rate = fields.Decimal(required=True, as_string=True, places=8, validate=validate.Range(
        min=0, min_inclusive=False, max=10**9), metadata={"description": "What one unit is worth in the base currency"})


class FxRateSet(FxRateIn):
    """What the customer service takes: the rate, and the currency from the path."""

    currency = fields.String(required=True, validate=CURRENCY)


class FxRateOut(Strict):
    currency = fields.String(required=True)
    rate = fields.String(required=True, metadata={"description": "Value of one unit in `base`, e.g. '7.12500000'"})
    base = fields.String(required=True)
    updated_at = fields.String(allow_none=True)
    updated_by = fields.String(allow_none=True)
    version = fields.Integer(required=True)


class FxRateList(Strict):
    items = fields.List(fields.Nested(FxRateOut), required=True)
