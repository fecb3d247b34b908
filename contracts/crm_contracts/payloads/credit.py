"""New-customer review and credit (客户审核信用): the decision, the terms, and the balance."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from .common import MoneySchema, Strict

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
        "description": "Receivables in currencies other than the limit's, not counted in utilisation"})
    utilisation = fields.String(allow_none=True, metadata={"description": "receivables / limit, e.g. '0.8125'"})
    over_limit = fields.Boolean(required=True)
    updated_at = fields.String(allow_none=True)
    version = fields.Integer(required=True)
