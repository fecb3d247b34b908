"""Duplicate control (查重): the check before create, the candidates a 409 carries, and merge."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from .accounts import AccountOut
from .common import Strict
from .fields import NormalisedEmail, PhoneNumber, TaxId


class DuplicateQuery(Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    phone = PhoneNumber()
    email = NormalisedEmail()
    tax_id = TaxId()

    @validates_schema
    def _something_to_compare(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not any(data.get(k) for k in ("name", "phone", "email", "tax_id")):
            raise ValidationError("Give at least one of name, phone, email, tax_id.", "_schema")


class MatchOut(Strict):
    field = fields.String(required=True, metadata={
        "description": "name | tax_id | phone | email | contact_phone | contact_email"})
    how = fields.String(required=True, metadata={"description": "exact | similar"})
    score = fields.Float(required=True, metadata={"description": "1.0 for exact, name similarity otherwise"})


class HistoryBriefOut(Strict):
    action = fields.String(required=True)
    at = fields.String(required=True)
    actor_name = fields.String(allow_none=True)


class DuplicateCandidateOut(Strict):
    visible = fields.Boolean(required=True, metadata={
        "description": "false: an account outside your scope matched; ask a manager (no details shown)"})
    id = fields.String(allow_none=True)
    customer_code = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    owner_id = fields.String(allow_none=True)
    created_at = fields.String(allow_none=True)
    matched_on = fields.List(fields.Nested(MatchOut), required=True)
    history = fields.List(fields.Nested(HistoryBriefOut), metadata={"description": "The latest changes"})


class DuplicatesOut(Strict):
    items = fields.List(fields.Nested(DuplicateCandidateOut), required=True)


class MergeIn(Strict):
    duplicate_id = fields.UUID(required=True)


class MovedOut(Strict):
    contacts = fields.Integer(required=True)
    relationships = fields.Integer(required=True)
    invoices = fields.Integer(required=True)
    payments = fields.Integer(required=True)


class MergeOut(Strict):
    account = fields.Nested(AccountOut, required=True, metadata={"description": "The survivor after the merge"})
    duplicate_id = fields.String(required=True)
    moved = fields.Nested(MovedOut, required=True)
    dropped_relationships = fields.List(fields.String(), required=True, metadata={
        "description": "Links of the duplicate that would repeat a link, point at the survivor itself, "
                       "or break the hierarchy (cycle, second parent); closed, in the audit trail"})
