"""Events the customer service publishes."""

from marshmallow import fields

from .base import Event


class AccountSnapshot(Event):
    """The account as read models need it; every account event carries the whole snapshot."""

    account_id = fields.UUID(required=True)
    customer_code = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    tier = fields.String(allow_none=True, load_default=None)
    owner_id = fields.String(allow_none=True, load_default=None)
    team = fields.String(allow_none=True, load_default=None)
    region = fields.String(allow_none=True, load_default=None)
    industry = fields.String(allow_none=True, load_default=None)
    version = fields.Integer(required=True)


class AccountCreated(AccountSnapshot):
    source, routing_key = "customer", "account.created"


class AccountUpdated(AccountSnapshot):
    source, routing_key = "customer", "account.updated"

    changed = fields.List(fields.String(), load_default=list)
