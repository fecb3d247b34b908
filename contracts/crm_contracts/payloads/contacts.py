"""Contacts: the people at a customer, with their role in the customer's logistics."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from .common import ListQuery, Strict, page_of
from .fields import NormalisedEmail, PhoneNumber

ROLES = ("decision_maker", "shipping", "finance_ap", "customs", "warehouse", "procurement", "other")
CHANNELS = ("email", "phone", "sms", "wechat", "im", "visit", "mail")
PHONE_KINDS = ("mobile", "office", "fax", "home", "other")
IM_NETWORKS = ("wechat", "qq", "whatsapp", "skype", "teams", "line", "telegram", "other")
# Fields only roles cleared for personal data see; others get them blanked and listed in ``redacted``.
PII_FIELDS = ("phones", "emails", "im_handle", "birthday")


class PhoneIn(Strict):
    number = PhoneNumber(required=True)
    kind = fields.String(load_default="mobile", validate=validate.OneOf(PHONE_KINDS))


class ImHandleIn(Strict):
    network = fields.String(required=True, validate=validate.OneOf(IM_NETWORKS))
    handle = fields.String(required=True, validate=validate.Length(min=1, max=100))


def _opt_outs_exclude_preferred(data: dict[str, Any]) -> None:
    preferred, opt_outs = data.get("preferred_channel"), data.get("opt_outs") or ()
    if preferred and preferred in opt_outs:
        raise ValidationError("The preferred channel cannot also be opted out.", "preferred_channel")


class _ContactFields(Strict):
    title = fields.String(allow_none=True, validate=validate.Length(max=100))
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), validate=validate.Length(max=len(ROLES)))
    phones = fields.List(fields.Nested(PhoneIn), validate=validate.Length(max=10))
    emails = fields.List(NormalisedEmail(), validate=validate.Length(max=10))
    im_handle = fields.Nested(ImHandleIn, allow_none=True)
    birthday = fields.Date(allow_none=True)
    interests = fields.List(fields.String(validate=validate.Length(min=1, max=50)), validate=validate.Length(max=30))
    preferred_channel = fields.String(allow_none=True, validate=validate.OneOf(CHANNELS))
    opt_outs = fields.List(fields.String(validate=validate.OneOf(CHANNELS)),
                           validate=validate.Length(max=len(CHANNELS)))
    is_primary = fields.Boolean()
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def _channels(self, data: dict[str, Any], **kwargs: Any) -> None:
        _opt_outs_exclude_preferred(data)


class ContactCreate(_ContactFields):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ContactUpdate(_ContactFields):
    name = fields.String(validate=validate.Length(min=1, max=200))


class PhoneOut(Strict):
    number = fields.String(required=True)
    kind = fields.String(required=True)


class ImHandleOut(Strict):
    network = fields.String(required=True)
    handle = fields.String(required=True)


class ContactOut(Strict):
    id = fields.String(required=True)
    account_id = fields.String(required=True)
    name = fields.String(required=True)
    title = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    phones = fields.List(fields.Nested(PhoneOut))
    emails = fields.List(fields.String())
    im_handle = fields.Nested(ImHandleOut, allow_none=True)
    birthday = fields.String(allow_none=True)
    interests = fields.List(fields.String())
    preferred_channel = fields.String(allow_none=True)
    opt_outs = fields.List(fields.String())
    is_primary = fields.Boolean()
    notes = fields.String(allow_none=True)
    redacted = fields.List(fields.String(), metadata={"description": "Personal fields hidden from your role."})
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    version = fields.Integer(required=True)


class ContactListQuery(ListQuery):
    role = fields.String(validate=validate.OneOf(ROLES))


ContactPage = page_of(ContactOut, "ContactPage")
