"""Every event on the bus, defined once: the envelope in ``base``, one module per publisher."""

from . import (
    sales,  # noqa: F401 - registers the sales service's events (exchanges, consumers)
    service_desk,  # noqa: F401 - registers the service desk's events (exchanges, consumers)
)
from .base import REGISTRY, Event, build, event_for, parse
from .customer import (
    AccountCreated,
    AccountMerged,
    AccountUpdated,
    CreditLimitExceeded,
    CreditLimitRestored,
)
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
    "AccountMerged",
    "AccountUpdated",
    "CreditLimitExceeded",
    "CreditLimitRestored",
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
