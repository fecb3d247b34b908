"""The sales service's configurable rules: lead grading, assignment, the pool, pipeline stages, and
the quote and contract policies. Each section is replaced whole by ``PUT``-style updates."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from .common import Strict
from .leads import GRADES, SOURCES
from .opportunities import STAGE_KEY

GRADABLE_FIELDS = ("source", "contact_name", "title", "phone", "fax", "email", "website", "country", "city",
                   "industry", "agent_name", "origin", "destination", "mode", "region")
STAGE_KINDS = ("open", "won", "lost")
STRATEGIES = ("round_robin", "load_balanced")


class GradingRule(Strict):
    field = fields.String(required=True, validate=validate.OneOf(GRADABLE_FIELDS))
    op = fields.String(load_default="present", validate=validate.OneOf(("present", "equals", "in")))
    value = fields.Raw(load_default=None, allow_none=True,
                       metadata={"description": "A string for equals, a list of strings for in."})
    points = fields.Integer(required=True, validate=validate.Range(min=-100, max=100))

    @validates_schema
    def _value_fits_op(self, data: dict, **_: object) -> None:
        value = data.get("value")
        if data["op"] == "equals" and not isinstance(value, str):
            raise ValidationError("equals needs a string value.", "value")
        if data["op"] == "in" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ValidationError("in needs a list of strings.", "value")


class GradeThresholds(Strict):
    A = fields.Integer(required=True, validate=validate.Range(min=-1000, max=1000))
    B = fields.Integer(required=True, validate=validate.Range(min=-1000, max=1000))

    @validates_schema
    def _ordered(self, data: dict, **_: object) -> None:
        if data["A"] <= data["B"]:
            raise ValidationError("The A threshold must be above the B threshold.", "A")


class Grading(Strict):
    rules = fields.List(fields.Nested(GradingRule), required=True, validate=validate.Length(max=100))
    thresholds = fields.Nested(GradeThresholds, required=True)


class AssignmentRule(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    grades = fields.List(fields.String(validate=validate.OneOf(GRADES)), load_default=list)
    sources = fields.List(fields.String(validate=validate.OneOf(SOURCES)), load_default=list)
    regions = fields.List(fields.String(validate=validate.Length(min=1, max=50)), load_default=list)
    strategy = fields.String(load_default="round_robin", validate=validate.OneOf(STRATEGIES))
    team = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=50),
                         metadata={"description": "Assign among the active reps of this team."})
    user_ids = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=500),
                           metadata={"description": "…or among these users (e.g. a senior group)."})


class Assignment(Strict):
    rules = fields.List(fields.Nested(AssignmentRule), required=True, validate=validate.Length(max=50),
                        metadata={"description": "First match wins; leads no rule places go to the pool. "
                                                 "Empty criteria match everything; reps of the lead's region "
                                                 "are the candidates when neither team nor user_ids is set."})

    @validates_schema
    def _unique_names(self, data: dict, **_: object) -> None:
        names = [r["name"] for r in data["rules"]]
        if len(names) != len(set(names)):
            raise ValidationError("Rule names must be unique.", "rules")


class PoolPolicy(Strict):
    release_after_days = fields.Integer(required=True, validate=validate.Range(min=1, max=365))
    warn_days_before = fields.Integer(required=True, validate=validate.Range(min=0, max=60))
    claim_limit = fields.Integer(required=True, validate=validate.Range(min=1, max=1_000_000))
    reclaim_cooldown_days = fields.Integer(required=True, validate=validate.Range(min=0, max=365))

    @validates_schema
    def _warn_before_release(self, data: dict, **_: object) -> None:
        if data["warn_days_before"] >= data["release_after_days"]:
            raise ValidationError("The warning must come before the release.", "warn_days_before")


class Stage(Strict):
    key = fields.String(required=True, validate=STAGE_KEY)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    probability = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    kind = fields.String(load_default="open", validate=validate.OneOf(STAGE_KINDS))


class Stages(Strict):
    stages = fields.List(fields.Nested(Stage), required=True, validate=validate.Length(min=3, max=30))

    @validates_schema
    def _well_formed(self, data: dict, **_: object) -> None:
        keys = [s["key"] for s in data["stages"]]
        kinds = [s["kind"] for s in data["stages"]]
        if len(keys) != len(set(keys)):
            raise ValidationError("Stage keys must be unique.", "stages")
        if kinds.count("won") != 1 or kinds.count("lost") != 1 or "open" not in kinds:
            raise ValidationError("Use open stages plus exactly one won and one lost stage.", "stages")


class QuotePolicy(Strict):
    discount_approval_pct = fields.Decimal(required=True, as_string=True,
                                           validate=validate.Range(min=0, max=100))
    min_margin_pct = fields.Decimal(required=True, as_string=True, validate=validate.Range(min=-100, max=100))
    validity_days = fields.Integer(required=True, validate=validate.Range(min=1, max=365))


class ContractPolicy(Strict):
    milestone_reminder_days = fields.Integer(required=True, validate=validate.Range(min=0, max=60))
    renewal_notice_days = fields.Integer(required=True, validate=validate.Range(min=0, max=365))


class SalesSettings(Strict):
    grading = fields.Nested(Grading)
    assignment = fields.Nested(Assignment)
    pool = fields.Nested(PoolPolicy)
    stages = fields.Nested(Stages)
    quotes = fields.Nested(QuotePolicy)
    contracts = fields.Nested(ContractPolicy)
