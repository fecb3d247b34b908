"""Service desk: tickets and their comments, and the moves of a ticket's life (assign, resolve, close,
reopen). Skill groups and SLA policies are in ``service_config``."""

from __future__ import annotations

from marshmallow import fields, validate

from .common import ListQuery, Strict, page_of

CHANNELS = ("phone", "email", "web", "app", "chat", "wechat", "system")
INPUT_CHANNELS = CHANNELS[:-1]  # "system" is for tickets the service desk opens itself
CATEGORIES = ("inquiry", "tracking", "complaint", "claim", "billing", "exception")
PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("new", "open", "pending", "resolved", "closed")
ROOT_CAUSES = ("carrier_delay", "handling_damage", "documentation_error", "customs", "billing_error",
               "communication", "system_error", "customer_error", "force_majeure", "other")
UUID_STRING = validate.Regexp(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                              error="Not a UUID.")


class Attachment(Strict):
    """Metadata of a file kept elsewhere (object store, mail server); never the bytes."""

    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content_type = fields.String(required=True, validate=validate.Regexp(r"^[\w.+-]+/[\w.+-]+$"))
    size_bytes = fields.Integer(required=True, validate=validate.Range(min=0, max=100 * 1024 * 1024))
    url = fields.Url(load_default=None, allow_none=True)


ATTACHMENTS = {"validate": validate.Length(max=20)}


class TicketCreate(Strict):
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    channel = fields.String(load_default="web", validate=validate.OneOf(INPUT_CHANNELS))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    priority = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(PRIORITIES),
                             metadata={"description": "Override; otherwise category × customer tier decides."})
    account_id = fields.String(load_default=None, allow_none=True, validate=UUID_STRING)
    contact_id = fields.String(load_default=None, allow_none=True, validate=UUID_STRING, metadata={
        "description": "A contact of the account (alone, it names the account). One known to be deleted or of "
                       "another account is refused; one not synced to the service desk yet is accepted."})
    shipment_reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=50)), load_default=list,
                       validate=validate.Length(max=20))
    attachments = fields.List(fields.Nested(Attachment), load_default=list, **ATTACHMENTS)


class TicketUpdate(Strict):
    subject = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(min=1, max=10000))
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    status = fields.String(validate=validate.OneOf(("open", "pending")), metadata={
        "description": "`pending` waits on the customer (SLA paused); `open` resumes."})
    contact_id = fields.String(allow_none=True, validate=UUID_STRING)
    shipment_reference = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=50)), validate=validate.Length(max=20))


class SlaOut(Strict):
    policy_id = fields.String(allow_none=True)
    first_response_due_at = fields.String(allow_none=True)
    resolution_due_at = fields.String(allow_none=True)
    first_response_breached = fields.Boolean()
    resolution_breached = fields.Boolean()
    paused = fields.Boolean()


class TicketOut(Strict):
    id = fields.String(required=True)
    subject = fields.String(required=True)
    description = fields.String(required=True)
    channel = fields.String(required=True)
    category = fields.String(required=True)
    priority = fields.String(required=True)
    status = fields.String(required=True)
    account_id = fields.String(allow_none=True)
    customer_code = fields.String(allow_none=True)
    contact_id = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True, metadata={
        "description": "The contact's name, once the service desk has heard of the contact."})
    requester_id = fields.String(allow_none=True)
    shipment_reference = fields.String(allow_none=True)
    exception_type = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    group_id = fields.String(allow_none=True)
    assignee_id = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    attachments = fields.List(fields.Nested(Attachment))
    resolution = fields.String(allow_none=True)
    root_cause = fields.String(allow_none=True)
    reopen_count = fields.Integer()
    created_by = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    first_responded_at = fields.String(allow_none=True)
    resolved_at = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    sla = fields.Nested(SlaOut)
    csat = fields.Integer(allow_none=True)
    nps = fields.Integer(allow_none=True)
    survey_comment = fields.String(allow_none=True)
    survey_token = fields.String(allow_none=True, metadata={
        "description": "Shown to the customer who may answer the open survey; null for staff."})
    version = fields.Integer(required=True)


class TicketListQuery(ListQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    account_id = fields.String(validate=UUID_STRING)
    assignee_id = fields.String(metadata={"description": "A user id, or `me`."})
    group_id = fields.String(validate=UUID_STRING)
    shipment_reference = fields.String()
    unassigned = fields.Boolean()
    breached = fields.Boolean()


TicketPage = page_of(TicketOut, "TicketPage")


class CommentCreate(Strict):
    body = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    visibility = fields.String(load_default="public", validate=validate.OneOf(("public", "internal")),
                               metadata={"description": "`internal` comments are never shown to customers."})
    attachments = fields.List(fields.Nested(Attachment), load_default=list, **ATTACHMENTS)


class CommentOut(Strict):
    id = fields.String(required=True)
    ticket_id = fields.String(required=True)
    body = fields.String(required=True)
    visibility = fields.String(required=True)
    attachments = fields.List(fields.Nested(Attachment))
    author_id = fields.String(allow_none=True)
    author_name = fields.String(allow_none=True)
    author_role = fields.String(allow_none=True)
    created_at = fields.String(required=True)


CommentPage = page_of(CommentOut, "CommentPage")


class AssignTicket(Strict):
    """Name an agent or a group; with neither, the routing rules pick the least-loaded agent."""

    assignee_id = fields.String(load_default=None, allow_none=True, validate=UUID_STRING)
    group_id = fields.String(load_default=None, allow_none=True, validate=UUID_STRING)


class ResolveTicket(Strict):
    resolution = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    root_cause = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ROOT_CAUSES),
                               metadata={"description": "Required for complaints and claims."})


class CloseTicket(Strict):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ReopenTicket(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class TicketHistoryEntryOut(Strict):
    action = fields.String(required=True)
    actor_id = fields.String(allow_none=True)
    actor_name = fields.String(allow_none=True)
    at = fields.String(required=True)
    changes = fields.Dict()


class TicketHistoryOut(Strict):
    items = fields.List(fields.Nested(TicketHistoryEntryOut), required=True)
