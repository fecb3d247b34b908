"""Shipments as the service desk projects them from TMS events."""

from __future__ import annotations

from marshmallow import fields

from .common import ListQuery, Strict, page_of


class ShipmentMilestoneOut(Strict):
    event_id = fields.String(required=True)
    kind = fields.String(required=True)  # booked | status | exception
    status = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    occurred_at = fields.String(required=True)


class ShipmentOut(Strict):
    reference = fields.String(required=True)
    customer_code = fields.String(required=True)
    account_id = fields.String(allow_none=True)
    mode = fields.String(allow_none=True)
    origin = fields.String(allow_none=True)
    destination = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    status_at = fields.String(allow_none=True)
    eta = fields.String(allow_none=True)
    last_location = fields.String(allow_none=True)
    open_exceptions = fields.Integer()
    milestones = fields.List(fields.Nested(ShipmentMilestoneOut))


class ShipmentListQuery(ListQuery):
    account_id = fields.String()
    status = fields.String()
    customer_code = fields.String()


ShipmentPage = page_of(ShipmentOut, "ShipmentPage")
