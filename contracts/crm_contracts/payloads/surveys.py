"""Satisfaction surveys: one use per token, answered on the public ``/surveys/{token}``."""

from __future__ import annotations

from marshmallow import fields, validate

from .common import Strict


class SurveyOut(Strict):
    ticket_subject = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("open", "answered", "expired")))
    expires_at = fields.String(required=True)
    answered_at = fields.String(allow_none=True)
    questions = fields.Dict(required=True, metadata={"description": "What each answer field means."})


class SurveyAnswer(Strict):
    csat = fields.Integer(required=True, validate=validate.Range(min=1, max=5),
                          metadata={"description": "Satisfaction with this ticket, 1 (poor) to 5 (excellent)."})
    nps = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=10),
                         metadata={"description": "How likely you are to recommend us, 0 to 10."})
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
