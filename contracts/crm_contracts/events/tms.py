"""The TMS contract: what a transport management system publishes to exchange ``tms.events``.

Events may arrive out of order and more than once; consumers order by ``occurred_at`` and dedupe by
``event_id``. Locations are UN/LOCODEs (two-letter country + three characters, e.g. ``CNSHA``).
"""

from marshmallow import fields, validate

from .base import Event, MoneyAmount

UNLOCODE = validate.Regexp(r"^[A-Z]{2}[A-Z2-9]{3}$", error="Not a UN/LOCODE (e.g. CNSHA).")
MODES = ("sea_fcl", "sea_lcl", "air", "road_ftl", "road_ltl", "rail", "express")
SHIPMENT_STATUSES = (
    "booked",
    "picked_up",
    "departed",
    "in_transit",
    "arrived",
    "customs_hold",
    "customs_cleared",
    "out_for_delivery",
    "delivered",
    "cancelled",
)
EXCEPTION_TYPES = ("delay", "damage", "customs_hold", "loss")


class TmsEvent(Event):
    source = "tms"
    customer_code = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ShipmentEvent(TmsEvent):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ShipmentBooked(ShipmentEvent):
    routing_key = "shipment.booked"

    mode = fields.String(required=True, validate=validate.OneOf(MODES))
    origin = fields.String(required=True, validate=UNLOCODE)
    destination = fields.String(required=True, validate=UNLOCODE)
    pieces = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))
    weight_kg = fields.Decimal(as_string=True, load_default=None, allow_none=True,
                               validate=validate.Range(min=0))
    volume_cbm = fields.Decimal(as_string=True, load_default=None, allow_none=True,
                                validate=validate.Range(min=0))
    eta = fields.AwareDateTime(load_default=None, allow_none=True)
    carrier = fields.String(load_default=None, allow_none=True)


class ShipmentStatusChanged(ShipmentEvent):
    routing_key = "shipment.status_changed"

    status = fields.String(required=True, validate=validate.OneOf(SHIPMENT_STATUSES))
    location = fields.String(load_default=None, allow_none=True, validate=UNLOCODE)
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    eta = fields.AwareDateTime(load_default=None, allow_none=True)


class ShipmentException(ShipmentEvent):
    routing_key = "shipment.exception"

    exception_type = fields.String(required=True, validate=validate.OneOf(EXCEPTION_TYPES))
    severity = fields.String(load_default="medium", validate=validate.OneOf(("low", "medium", "high")))
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    location = fields.String(load_default=None, allow_none=True, validate=UNLOCODE)
    eta = fields.AwareDateTime(load_default=None, allow_none=True)


class InvoiceIssued(TmsEvent):
    routing_key = "invoice.issued"

    invoice_number = fields.String(required=True, validate=validate.Length(min=1, max=64))
    amount = fields.Nested(MoneyAmount, required=True)
    issued_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    reference = fields.String(load_default=None, allow_none=True)


class PaymentReceived(TmsEvent):
    routing_key = "payment.received"

    invoice_number = fields.String(required=True, validate=validate.Length(min=1, max=64))
    amount = fields.Nested(MoneyAmount, required=True)
    received_on = fields.Date(required=True)


TMS_EVENTS = (ShipmentBooked, ShipmentStatusChanged, ShipmentException, InvoiceIssued, PaymentReceived)
