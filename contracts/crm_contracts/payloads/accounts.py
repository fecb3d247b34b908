"""Accounts (customers): the fields REQUIREMENTS §1 lists, their history and the 360 view."""

from __future__ import annotations

from marshmallow import fields, validate

from .common import ListQuery, Strict, page_of
from .contacts import ContactOut
from .credit import CreditOut
from .fields import NormalisedEmail, PhoneNumber, TaxId, bounded_json
from .relationships import RelationshipOut

# "merged" and "deleted" are set by the service only (merge, delete), never by a request.
STATUSES = ("prospect", "pending_review", "active", "dormant", "churned", "merged", "deleted")
SETTABLE_STATUSES = ("prospect", "pending_review", "active", "dormant", "churned")
TIERS = ("VIP", "A", "B", "C")
SIZES = ("micro", "small", "medium", "large", "enterprise")
BUSINESS_LINES = ("sea_fcl", "sea_lcl", "air", "road_ftl", "road_ltl", "rail", "express", "warehousing",
                  "customs")
CUSTOMER_CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$",
                                error="Use 2-64 letters, digits, '-', '_' or '.'.")
CUSTOM_ATTRIBUTES_MAX_KEYS = 50
CUSTOM_ATTRIBUTES_MAX_BYTES = 8192
SORTABLE = ("name", "customer_code", "created_at", "updated_at", "status", "tier", "region")

_tag = fields.String(validate=validate.Length(min=1, max=50))
_tags = {"validate": validate.Length(max=50)}
_custom = {"keys": fields.String(validate=validate.Length(min=1, max=64)),
           "validate": bounded_json(CUSTOM_ATTRIBUTES_MAX_KEYS, CUSTOM_ATTRIBUTES_MAX_BYTES)}


class AccountCreate(Strict):
    customer_code = fields.String(required=True, validate=CUSTOMER_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    tax_id = TaxId(load_default=None, allow_none=True)
    industry = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    size = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(SIZES))
    region = fields.String(required=True, validate=validate.Length(min=1, max=50))
    business_lines = fields.List(fields.String(validate=validate.OneOf(BUSINESS_LINES)), load_default=list)
    # A new customer waits for review; a prospect is recorded before it is put up for review.
    status = fields.String(load_default="pending_review", validate=validate.OneOf(("prospect", "pending_review")))
    tier = fields.String(load_default="C", validate=validate.OneOf(TIERS))
    owner_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36))
    team = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    tags = fields.List(_tag, load_default=list, **_tags)
    custom_attributes = fields.Dict(load_default=dict, **_custom)
    phone = PhoneNumber(load_default=None, allow_none=True)
    email = NormalisedEmail(load_default=None, allow_none=True)
    website = fields.Url(load_default=None, allow_none=True)
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class AccountUpdate(Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    tax_id = TaxId(allow_none=True)
    industry = fields.String(allow_none=True, validate=validate.Length(max=100))
    size = fields.String(allow_none=True, validate=validate.OneOf(SIZES))
    region = fields.String(validate=validate.Length(min=1, max=50))
    business_lines = fields.List(fields.String(validate=validate.OneOf(BUSINESS_LINES)))
    tier = fields.String(validate=validate.OneOf(TIERS))
    status = fields.String(validate=validate.OneOf(SETTABLE_STATUSES))
    owner_id = fields.String(allow_none=True, validate=validate.Length(max=36))
    team = fields.String(allow_none=True, validate=validate.Length(max=50))
    tags = fields.List(_tag, **_tags)
    custom_attributes = fields.Dict(**_custom)
    phone = PhoneNumber(allow_none=True)
    email = NormalisedEmail(allow_none=True)
    website = fields.Url(allow_none=True)
    address = fields.String(allow_none=True, validate=validate.Length(max=500))


class AccountOut(Strict):
    id = fields.String(required=True)
    customer_code = fields.String(required=True)
    name = fields.String(required=True)
    tax_id = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    size = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    business_lines = fields.List(fields.String())
    status = fields.String(required=True)
    tier = fields.String(allow_none=True)
    owner_id = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    custom_attributes = fields.Dict()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    review_decision = fields.String(allow_none=True, metadata={"description": "approve | reject, the last review"})
    review_reason = fields.String(allow_none=True)
    reviewed_by = fields.String(allow_none=True)
    reviewed_at = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    version = fields.Integer(required=True)


class AccountListQuery(ListQuery):
    status = fields.String(validate=validate.OneOf(SETTABLE_STATUSES))
    tier = fields.String(validate=validate.OneOf(TIERS))
    size = fields.String(validate=validate.OneOf(SIZES))
    region = fields.String(validate=validate.Length(max=50))
    owner_id = fields.String(validate=validate.Length(max=36))
    team = fields.String(validate=validate.Length(max=50))
    industry = fields.String(validate=validate.Length(max=100))
    tag = fields.String(validate=validate.Length(max=50))
    business_line = fields.String(validate=validate.OneOf(BUSINESS_LINES))
    customer_code = fields.String(validate=validate.Length(max=64),
                                  metadata={"description": "Also finds the survivor of a merged code."})
    segment_id = fields.UUID(metadata={"description": "Only accounts matching this saved segment."})


AccountPage = page_of(AccountOut, "AccountPage")


class HistoryQuery(Strict):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None)


class HistoryEntryOut(Strict):
    entity = fields.String(required=True, metadata={"description": "account | contact | relationship | credit"})
    entity_id = fields.String(required=True)
    action = fields.String(required=True)
    actor_id = fields.String(allow_none=True)
    actor_name = fields.String(allow_none=True)
    at = fields.String(required=True)
    changes = fields.Dict(required=True, metadata={"description": "{field: {old, new}}"})


HistoryPage = page_of(HistoryEntryOut, "AccountHistoryPage")


class Account360Out(Strict):
    account = fields.Nested(AccountOut, required=True)
    contacts = fields.List(fields.Nested(ContactOut), required=True)
    relationships = fields.List(fields.Nested(RelationshipOut), required=True)
    credit = fields.Nested(CreditOut, allow_none=True)
    sales = fields.Dict(allow_none=True)
    service = fields.Dict(allow_none=True)
    analytics = fields.Dict(allow_none=True)
    degraded = fields.List(fields.String(), required=True,
                           metadata={"description": "Sections a service could not supply in time."})
    restricted = fields.List(fields.String(), required=True,
                             metadata={"description": "Sections your role may not see."})
