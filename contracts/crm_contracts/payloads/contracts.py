"""Contracts from accepted quotes: templates, approval, renewal and payment milestones."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from .common import ListQuery, MoneySchema, Strict, page_of

CONTRACT_STATUSES = ("pending_approval", "approved", "rejected", "terminated")
MILESTONE_STATUSES = ("pending", "paid")
PLACEHOLDERS = ("account_name", "quote_number", "origin", "destination", "mode", "total", "currency",
                "start_date", "end_date", "contract_number")


class MilestonePlan(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    percent = fields.Decimal(required=True, as_string=True, validate=validate.Range(min=0, max=100,
                                                                                    min_inclusive=False))
    due_days = fields.Integer(required=True, validate=validate.Range(min=0, max=3650),
                              metadata={"description": "Days after the contract's start date."})


class TemplateCreate(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=20000), metadata={
        "description": "Text with {placeholders}: " + ", ".join(PLACEHOLDERS)})
    term_months = fields.Integer(load_default=12, validate=validate.Range(min=1, max=120))
    milestones = fields.List(fields.Nested(MilestonePlan), load_default=list, validate=validate.Length(max=50))

    @validates_schema
    def _percent_adds_up(self, data: dict, **_: object) -> None:
        total = sum((m["percent"] for m in data.get("milestones", [])), Decimal(0))
        if data.get("milestones") and total != 100:
            raise ValidationError(f"Milestone percents add up to {total}, not 100.", "milestones")


class TemplateOut(Strict):
    id = fields.String(required=True)
    name = fields.String(required=True)
    body = fields.String(required=True)
    term_months = fields.Integer(required=True)
    milestones = fields.List(fields.Nested(MilestonePlan), required=True)
    created_at = fields.String(required=True)


class MilestoneCreate(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    due_on = fields.Date(required=True)
    amount = fields.Nested(MoneySchema, required=True)


class MilestoneUpdate(Strict):
    paid_on = fields.Date(allow_none=True, metadata={"description": "Marks the milestone paid (null: unpaid)."})
    due_on = fields.Date()


class PaymentMilestoneOut(Strict):
    id = fields.String(required=True)
    contract_id = fields.String(required=True)
    name = fields.String(required=True)
    due_on = fields.String(required=True)
    amount = fields.Nested(MoneySchema, required=True)
    status = fields.String(required=True, validate=validate.OneOf(MILESTONE_STATUSES))
    overdue = fields.Boolean(required=True)
    paid_on = fields.String(allow_none=True)


class ContractCreate(Strict):
    quote_id = fields.UUID(required=True)
    template_id = fields.UUID(load_default=None, allow_none=True)
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
    start_date = fields.Date(required=True)
    term_months = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=120))
    total = fields.Nested(MoneySchema, load_default=None, allow_none=True,
                          metadata={"description": "Contract value; defaults to the quote's total."})
    milestones = fields.List(fields.Nested(MilestoneCreate), load_default=None, allow_none=True,
                             validate=validate.Length(max=50),
                             metadata={"description": "Replaces the template's milestone plan."})


class ContractDecision(Strict):
    approve = fields.Boolean(load_default=True)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class ContractOut(Strict):
    id = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    quote_id = fields.String(required=True)
    account_id = fields.String(required=True)
    owner_id = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    template_id = fields.String(allow_none=True)
    body = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(CONTRACT_STATUSES))
    start_date = fields.String(required=True)
    end_date = fields.String(required=True)
    renewal_date = fields.String(required=True)
    total = fields.Nested(MoneySchema, required=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    milestones = fields.List(fields.Nested(PaymentMilestoneOut), required=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    version = fields.Integer(required=True)


class ContractListQuery(ListQuery):
    account_id = fields.String()
    status = fields.String(validate=validate.OneOf(CONTRACT_STATUSES))
    owner_id = fields.String()
    quote_id = fields.String()


ContractPage = page_of(ContractOut, "ContractPage")
TemplatePage = page_of(TemplateOut, "TemplatePage")
MilestonePage = page_of(PaymentMilestoneOut, "MilestonePage")
