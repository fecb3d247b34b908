"""Activities (客户联络 / 行动管理): calls, visits, meetings, e-mails, memos and tasks, and the
caller-ID lookup the call centre uses."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from .common import ListQuery, Strict, page_of
from .fields import PhoneNumber

KINDS = ("call", "visit", "meeting", "email", "memo", "task")
MEMO_SCOPES = ("personal", "company")
ACTIVITY_STATUSES = ("open", "done", "cancelled")
ORIGINS = ("planned", "spontaneous")
DIRECTIONS = ("inbound", "outbound")


class ActivityCreate(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000))
    lead_id = fields.UUID(load_default=None, allow_none=True)
    opportunity_id = fields.UUID(load_default=None, allow_none=True)
    account_id = fields.UUID(load_default=None, allow_none=True)
    contact_id = fields.UUID(load_default=None, allow_none=True)
    assignee_id = fields.UUID(load_default=None, allow_none=True, metadata={
        "description": "Tasks: a manager dispatching to a rep makes a planned task; default yourself."})
    occurred_at = fields.AwareDateTime(load_default=None, allow_none=True,
                                       metadata={"description": "When a call, visit or meeting happened."})
    due_at = fields.AwareDateTime(load_default=None, allow_none=True)
    remind_before_minutes = fields.Integer(load_default=30, validate=validate.Range(min=0, max=10080))
    memo_scope = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(MEMO_SCOPES))
    direction = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(DIRECTIONS))
    phone = PhoneNumber(load_default=None, allow_none=True)
    duration_minutes = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1440))

    @validates_schema
    def _kind_rules(self, data: dict, **_: object) -> None:
        if data["kind"] == "task" and not data.get("due_at"):
            raise ValidationError("A task needs due_at.", "due_at")
        if data.get("memo_scope") and data["kind"] != "memo":
            raise ValidationError("Only memos have a scope.", "memo_scope")
        if data.get("assignee_id") and data["kind"] != "task":
            raise ValidationError("Only tasks are dispatched.", "assignee_id")


class ActivityUpdate(Strict):
    subject = fields.String(validate=validate.Length(min=1, max=200))
    body = fields.String(allow_none=True, validate=validate.Length(max=10000))
    due_at = fields.AwareDateTime(allow_none=True)
    status = fields.String(validate=validate.OneOf(ACTIVITY_STATUSES))
    feedback = fields.String(allow_none=True, validate=validate.Length(max=4000))
    done_at = fields.AwareDateTime(allow_none=True, metadata={"description": "Defaults to now when done."})


class ActivityOut(Strict):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(allow_none=True)
    lead_id = fields.String(allow_none=True)
    opportunity_id = fields.String(allow_none=True)
    account_id = fields.String(allow_none=True)
    contact_id = fields.String(allow_none=True)
    owner_id = fields.String(required=True)
    assigned_by = fields.String(allow_none=True)
    origin = fields.String(required=True, validate=validate.OneOf(ORIGINS))
    memo_scope = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(ACTIVITY_STATUSES))
    occurred_at = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True)
    done_at = fields.String(allow_none=True)
    feedback = fields.String(allow_none=True)
    direction = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    duration_minutes = fields.Integer(allow_none=True)
    region = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    version = fields.Integer(required=True)


class ActivityListQuery(ListQuery):
    kind = fields.String(validate=validate.OneOf(KINDS))
    status = fields.String(validate=validate.OneOf(ACTIVITY_STATUSES))
    origin = fields.String(validate=validate.OneOf(ORIGINS))
    owner_id = fields.String()
    lead_id = fields.String()
    opportunity_id = fields.String()
    account_id = fields.String()
    contact_id = fields.String()
    due_before = fields.AwareDateTime()
    due_after = fields.AwareDateTime()


ActivityPage = page_of(ActivityOut, "ActivityPage")


class LookupQuery(Strict):
    phone = PhoneNumber(required=True, metadata={"description": "Any format, e.g. 021-6123 4567 or +86…"})


class LookupMatch(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(("lead", "account", "contact")))
    id = fields.String(required=True)
    name = fields.String(required=True)
    account_id = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    owner_id = fields.String(allow_none=True)
    matched_on = fields.String(required=True)
    recent_activities = fields.List(fields.Nested(ActivityOut), required=True)
    open_opportunities = fields.List(fields.Dict(), required=True)


class LookupOut(Strict):
    phone = fields.String(required=True, metadata={"description": "The number in E.164"})
    matches = fields.List(fields.Nested(LookupMatch), required=True)
