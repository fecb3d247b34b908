"""Events the customer service publishes.

Snapshot events carry the whole record and its ``version``, so a read model applies them in any order
and keeps the newest. ``account.merged`` is the one fact other services act on to move their own
records (leads, opportunities, quotes, activities, tickets, shipments, facts) to the survivor.
"""

from marshmallow import EXCLUDE, Schema, fields, validate

from .base import Event, MoneyAmount


class AccountSnapshot(Event):
    """The account as read models need it; every account event carries the whole snapshot."""

    account_id = fields.UUID(required=True)
    customer_code = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)  # "merged" / "deleted": the account is gone for good
    tier = fields.String(allow_none=True, load_default=None)
    owner_id = fields.String(allow_none=True, load_default=None)
    team = fields.String(allow_none=True, load_default=None)
    region = fields.String(allow_none=True, load_default=None)
    industry = fields.String(allow_none=True, load_default=None)
    phone = fields.String(allow_none=True, load_default=None)  # E.164: caller-ID and duplicate checks
    email = fields.String(allow_none=True, load_default=None)  # normalised
    tags = fields.List(fields.String(), load_default=list)
    merged_into = fields.UUID(allow_none=True, load_default=None)
    version = fields.Integer(required=True)


class AccountCreated(AccountSnapshot):
    source, routing_key = "customer", "account.created"


class AccountUpdated(AccountSnapshot):
    source, routing_key = "customer", "account.updated"

    changed = fields.List(fields.String(), load_default=list)


class AccountReviewed(Event):
    """A finance or sales manager decided on a new customer (pending_review → active, or back)."""

    source, routing_key = "customer", "account.reviewed"

    account_id = fields.UUID(required=True)
    customer_code = fields.String(required=True)
    owner_id = fields.String(allow_none=True, load_default=None)
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    reason = fields.String(allow_none=True, load_default=None)
    status = fields.String(required=True)


class AccountMerged(Event):
    """``duplicate`` was merged into ``survivor``: re-point every record that names the duplicate.

    The duplicate's id and customer_code now resolve to the survivor. Contacts and relationships
    listed here already belong to the survivor in the customer service.
    """

    source, routing_key = "customer", "account.merged"

    survivor_id = fields.UUID(required=True)
    survivor_code = fields.String(required=True)
    duplicate_id = fields.UUID(required=True)
    duplicate_code = fields.String(required=True)
    contact_ids = fields.List(fields.UUID(), load_default=list)
    relationship_ids = fields.List(fields.UUID(), load_default=list)
    tags = fields.List(fields.String(), load_default=list)


class Phone(Schema):
    class Meta:
        unknown = EXCLUDE

    number = fields.String(required=True)
    kind = fields.String(required=True)


class ContactSnapshot(Event):
    contact_id = fields.UUID(required=True)
    account_id = fields.UUID(required=True)
    name = fields.String(required=True)
    title = fields.String(allow_none=True, load_default=None)
    roles = fields.List(fields.String(), load_default=list)
    phones = fields.List(fields.Nested(Phone), load_default=list)
    emails = fields.List(fields.String(), load_default=list)
    birthday = fields.Date(allow_none=True, load_default=None)
    preferred_channel = fields.String(allow_none=True, load_default=None)
    opt_outs = fields.List(fields.String(), load_default=list)
    is_primary = fields.Boolean(load_default=False)
    version = fields.Integer(required=True)


class ContactCreated(ContactSnapshot):
    source, routing_key = "customer", "contact.created"


class ContactUpdated(ContactSnapshot):
    source, routing_key = "customer", "contact.updated"

    changed = fields.List(fields.String(), load_default=list)


class ContactDeleted(ContactSnapshot):
    source, routing_key = "customer", "contact.deleted"


class RelationshipSnapshot(Event):
    relationship_id = fields.UUID(required=True)
    account_id = fields.UUID(required=True)
    related_account_id = fields.UUID(required=True)
    type = fields.String(required=True)


class RelationshipCreated(RelationshipSnapshot):
    source, routing_key = "customer", "relationship.created"


class RelationshipDeleted(RelationshipSnapshot):
    source, routing_key = "customer", "relationship.deleted"


class CreditSnapshot(Event):
    account_id = fields.UUID(required=True)
    customer_code = fields.String(required=True)
    credit_limit = fields.Nested(MoneyAmount, allow_none=True, load_default=None)
    payment_terms_days = fields.Integer(required=True)
    credit_hold = fields.Boolean(required=True)
    receivables = fields.Nested(MoneyAmount, required=True)
    utilisation = fields.Decimal(as_string=True, allow_none=True, load_default=None)
    over_limit = fields.Boolean(required=True)
    version = fields.Integer(required=True)


class CreditUpdated(CreditSnapshot):
    """Terms, hold or balance changed."""

    source, routing_key = "customer", "credit.updated"

    changed = fields.List(fields.String(), load_default=list)


class CreditLimitExceeded(CreditSnapshot):
    """Receivables went above the limit: sales blocks new quotes or asks for approval."""

    source, routing_key = "customer", "credit.limit_exceeded"


class CreditLimitRestored(CreditSnapshot):
    """Receivables are back within the limit."""

    source, routing_key = "customer", "credit.limit_restored"


class SegmentSnapshot(Event):
    segment_id = fields.UUID(required=True)
    name = fields.String(required=True)
    definition = fields.Dict(required=True)
    owner_id = fields.String(allow_none=True, load_default=None)
    version = fields.Integer(required=True)


class SegmentCreated(SegmentSnapshot):
    source, routing_key = "customer", "segment.created"


class SegmentUpdated(SegmentSnapshot):
    source, routing_key = "customer", "segment.updated"


class SegmentDeleted(SegmentSnapshot):
    source, routing_key = "customer", "segment.deleted"
