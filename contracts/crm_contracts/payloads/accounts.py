"""Accounts (customers): the fields REQUIREMENTS §1 lists."""

from __future__ import annotations

from marshmallow import fields, validate

from .common import ListQuery, Strict, page_of

STATUSES = ("prospect", "pending_review", "active", "dormant", "churned", "merged")
TIERS = ("VIP", "A", "B", "C")
SIZES = ("micro", "small", "medium", "large", "enterprise")
BUSINESS_LINES = ("sea_fcl", "sea_lcl", "air", "road_ftl", "road_ltl", "rail", "express", "warehousing",
                  "customs")
CUSTOMER_CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$",
                                error="Use 2-64 letters, digits, '-', '_' or '.'.")
# Unified social credit code (18 chars, China) or a generic VAT/tax number.
TAX_ID = validate.Regexp(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$|^[A-Z]{2}[A-Z0-9]{6,14}$",
                         error="Not a unified social credit code or VAT number.")
CUSTOM_ATTRIBUTES_MAX_KEYS = 50
CUSTOM_ATTRIBUTES_MAX_BYTES = 8192


class AccountCreate(Strict):
    customer_code = fields.String(required=True, validate=CUSTOMER_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    tax_id = fields.String(load_default=None, allow_none=True, validate=TAX_ID)
    industry = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    size = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(SIZES))
    region = fields.String(required=True, validate=validate.Length(min=1, max=50))
    business_lines = fields.List(fields.String(validate=validate.OneOf(BUSINESS_LINES)), load_default=list)
    tier = fields.String(load_default="C", validate=validate.OneOf(TIERS))
    owner_id = fields.String(load_default=None, allow_none=True)
    team = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=50)), load_default=list,
                       validate=validate.Length(max=50))
    custom_attributes = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                                    load_default=dict)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    email = fields.Email(load_default=None, allow_none=True)
    website = fields.Url(load_default=None, allow_none=True)
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class AccountUpdate(Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    tax_id = fields.String(allow_none=True, validate=TAX_ID)
    industry = fields.String(allow_none=True, validate=validate.Length(max=100))
    size = fields.String(allow_none=True, validate=validate.OneOf(SIZES))
    region = fields.String(validate=validate.Length(min=1, max=50))
    business_lines = fields.List(fields.String(validate=validate.OneOf(BUSINESS_LINES)))
    tier = fields.String(validate=validate.OneOf(TIERS))
    status = fields.String(validate=validate.OneOf(STATUSES[:-1]))
    owner_id = fields.String(allow_none=True)
    team = fields.String(allow_none=True, validate=validate.Length(max=50))
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=50)), validate=validate.Length(max=50))
    custom_attributes = fields.Dict(keys=fields.String(validate=validate.Length(max=64)))
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    email = fields.Email(allow_none=True)
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
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    version = fields.Integer(required=True)


class AccountListQuery(ListQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))
    tier = fields.String(validate=validate.OneOf(TIERS))
    region = fields.String()
    owner_id = fields.String()
    team = fields.String()
    industry = fields.String()
    tag = fields.String()
    customer_code = fields.String()


AccountPage = page_of(AccountOut, "AccountPage")


class Account360Out(Strict):
    account = fields.Nested(AccountOut, required=True)
    sales = fields.Dict(allow_none=True)
    service = fields.Dict(allow_none=True)
    analytics = fields.Dict(allow_none=True)
    degraded = fields.List(fields.String(), required=True)
