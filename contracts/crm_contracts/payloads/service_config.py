"""Service desk configuration: skill groups (who takes which tickets, with what capacity) and SLA
policies (targets per priority and tier, on a business-hours calendar)."""

from __future__ import annotations

import zoneinfo

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from .accounts import TIERS
from .common import ListQuery, Strict, page_of
from .tickets import CATEGORIES, PRIORITIES, UUID_STRING

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", error="Use HH:MM (00:00-24:00).")


# --- skill groups --------------------------------------------------------------------------------

class Member(Strict):
    user_id = fields.String(required=True, validate=UUID_STRING)
    capacity = fields.Integer(load_default=10, validate=validate.Range(min=1, max=500),
                              metadata={"description": "Open tickets this agent may hold before routing skips them."})


class SkillGroupCreate(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), load_default=list,
                             metadata={"description": "Ticket categories this group serves; empty = all."})
    regions = fields.List(fields.String(validate=validate.Length(min=1, max=50)), load_default=list,
                          metadata={"description": "Customer regions this group serves; empty = all."})
    members = fields.List(fields.Nested(Member), load_default=list, validate=validate.Length(max=500))
    active = fields.Boolean(load_default=True)


class SkillGroupUpdate(Strict):
    name = fields.String(validate=validate.Length(min=1, max=100))
    description = fields.String(allow_none=True, validate=validate.Length(max=1000))
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)))
    regions = fields.List(fields.String(validate=validate.Length(min=1, max=50)))
    members = fields.List(fields.Nested(Member), validate=validate.Length(max=500))
    active = fields.Boolean()


class MemberOut(Strict):
    user_id = fields.String(required=True)
    username = fields.String(allow_none=True)
    capacity = fields.Integer(required=True)
    active = fields.Boolean(required=True)
    open_tickets = fields.Integer(required=True)


class SkillGroupOut(Strict):
    id = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(allow_none=True)
    categories = fields.List(fields.String())
    regions = fields.List(fields.String())
    members = fields.List(fields.Nested(MemberOut))
    active = fields.Boolean(required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    version = fields.Integer(required=True)


SkillGroupPage = page_of(SkillGroupOut, "SkillGroupPage")


class ConfigListQuery(ListQuery):
    active = fields.Boolean()


# --- SLA policies --------------------------------------------------------------------------------

class Interval(Strict):
    start = fields.String(required=True, validate=HHMM)
    end = fields.String(required=True, validate=HHMM)

    @validates_schema
    def _ordered(self, data: dict, **_: object) -> None:
        if data["start"] >= data["end"]:
            raise ValidationError("start must be before end.", "end")


DAY = {"load_default": list, "validate": validate.Length(max=6)}


class WeeklyHours(Strict):
    mon = fields.List(fields.Nested(Interval), **DAY)
    tue = fields.List(fields.Nested(Interval), **DAY)
    wed = fields.List(fields.Nested(Interval), **DAY)
    thu = fields.List(fields.Nested(Interval), **DAY)
    fri = fields.List(fields.Nested(Interval), **DAY)
    sat = fields.List(fields.Nested(Interval), **DAY)
    sun = fields.List(fields.Nested(Interval), **DAY)

    @validates_schema
    def _sane(self, data: dict, **_: object) -> None:
        if not any(data.get(day) for day in WEEKDAYS):
            raise ValidationError("At least one working interval is needed.", "_schema")
        for day in WEEKDAYS:
            spans = sorted((i["start"], i["end"]) for i in data.get(day, []))
            if any(prev[1] > nxt[0] for prev, nxt in zip(spans, spans[1:], strict=False)):
                raise ValidationError("Intervals overlap.", day)


class Calendar(Strict):
    """Business hours in a time zone, minus holidays; the SLA clock runs only inside them."""

    timezone = fields.String(required=True, metadata={"description": "IANA name, e.g. Asia/Shanghai."})
    hours = fields.Nested(WeeklyHours, required=True)
    holidays = fields.List(fields.Date(), load_default=list, validate=validate.Length(max=400))

    @validates("timezone")
    def _known_zone(self, value: str, **_: object) -> None:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError("Unknown time zone.") from None


MINUTES = validate.Range(min=1, max=525600)


class SlaPolicyCreate(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    tier = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(TIERS),
                         metadata={"description": "Customer tier; null applies to every tier without its own."})
    first_response_minutes = fields.Integer(required=True, validate=MINUTES)
    resolution_minutes = fields.Integer(required=True, validate=MINUTES)
    warn_percent = fields.Integer(load_default=80, validate=validate.Range(min=1, max=99),
                                  metadata={"description": "Escalate when this share of a target is used."})
    calendar = fields.Nested(Calendar, load_default=None, allow_none=True,
                             metadata={"description": "Business hours; null = around the clock."})
    active = fields.Boolean(load_default=True)

    @validates_schema
    def _targets(self, data: dict, **_: object) -> None:
        first, resolution = data.get("first_response_minutes"), data.get("resolution_minutes")
        if first and resolution and resolution < first:
            raise ValidationError("Must not be shorter than first_response_minutes.", "resolution_minutes")


class SlaPolicyUpdate(Strict):
    name = fields.String(validate=validate.Length(min=1, max=100))
    first_response_minutes = fields.Integer(validate=MINUTES)
    resolution_minutes = fields.Integer(validate=MINUTES)
    warn_percent = fields.Integer(validate=validate.Range(min=1, max=99))
    calendar = fields.Nested(Calendar, allow_none=True)
    active = fields.Boolean()


class SlaPolicyOut(Strict):
    id = fields.String(required=True)
    name = fields.String(required=True)
    priority = fields.String(required=True)
    tier = fields.String(allow_none=True)
    first_response_minutes = fields.Integer(required=True)
    resolution_minutes = fields.Integer(required=True)
    warn_percent = fields.Integer(required=True)
    calendar = fields.Dict(allow_none=True)
    active = fields.Boolean(required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    version = fields.Integer(required=True)


SlaPolicyPage = page_of(SlaPolicyOut, "SlaPolicyPage")
