"""Every event on the bus, defined once: the envelope in ``base``, one module per publisher."""

from .base import REGISTRY, Event, build, event_for, parse
from .customer import AccountCreated, AccountUpdated
from .gateway import UserCreated, UserDeactivated, UserUpdated
from .tms import (
    TMS_EVENTS,
    InvoiceIssued,
    PaymentReceived,
    ShipmentBooked,
    ShipmentException,
    ShipmentStatusChanged,
)

__all__ = [
    "REGISTRY",
    "TMS_EVENTS",
    "AccountCreated",
    "AccountUpdated",
    "Event",
    "InvoiceIssued",
    "PaymentReceived",
    "ShipmentBooked",
    "ShipmentException",
    "ShipmentStatusChanged",
    "UserCreated",
    "UserDeactivated",
    "UserUpdated",
    "build",
    "event_for",
    "parse",
]
