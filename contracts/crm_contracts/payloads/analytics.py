"""Customer value figures as analytics keeps them."""

from __future__ import annotations

from marshmallow import fields

from .common import Strict


class CustomerFiguresOut(Strict):
    account_id = fields.String(required=True)
    customer_code = fields.String(required=True)
    name = fields.String(required=True)
    region = fields.String(allow_none=True)
    tier = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    first_seen_at = fields.String(required=True)
    shipments_booked = fields.Integer(required=True)
    last_shipment_at = fields.String(allow_none=True)
    lanes = fields.Dict(keys=fields.String(), values=fields.Integer())
