"""Relationships: links from an account to another account, each with a type.

A link reads "``related`` is the ``type`` of ``account``": parent/branch/subsidiary form the hierarchy
(no cycles, one parent), the other types name the parties around the customer's cargo.
"""

from __future__ import annotations

from marshmallow import fields, validate

from .common import ListQuery, Strict, page_of

HIERARCHY_TYPES = ("parent", "branch", "subsidiary")
PARTY_TYPES = ("supplier", "consignee", "customs_broker", "trucker", "destination_agent")
TYPES = HIERARCHY_TYPES + PARTY_TYPES


class RelationshipCreate(Strict):
    related_account_id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class AccountBrief(Strict):
    id = fields.String(required=True)
    customer_code = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)


class RelationshipOut(Strict):
    id = fields.String(required=True)
    account_id = fields.String(required=True)
    related_account_id = fields.String(required=True)
    type = fields.String(required=True, metadata={"description": "related is the <type> of account"})
    direction = fields.String(required=True, metadata={
        "description": "outgoing: the listed account is `account_id`; incoming: it is `related_account_id`"})
    other = fields.Nested(AccountBrief, required=True, metadata={"description": "The account at the other end."})
    note = fields.String(allow_none=True)
    created_at = fields.String(required=True)


class RelationshipListQuery(ListQuery):
    type = fields.String(validate=validate.OneOf(TYPES))
    direction = fields.String(validate=validate.OneOf(("outgoing", "incoming")))


RelationshipPage = page_of(RelationshipOut, "RelationshipPage")
