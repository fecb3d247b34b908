"""Who listens to what: the one list the topology is declared from.

A service's ``@handles(Event)`` entrypoint refuses to start unless its (service, method, event) is
listed here, so the queues ``crm-bus setup`` declares are exactly the ones the consumers read.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..events import (
    AccountCreated,
    AccountUpdated,
    Event,
    ShipmentBooked,
    ShipmentException,
    ShipmentStatusChanged,
    UserCreated,
    UserDeactivated,
    UserUpdated,
    sales,
    service_desk,
)
from ..events.customer import (
    AccountMerged,
    ContactCreated,
    ContactDeleted,
    ContactUpdated,
    CreditLimitExceeded,
    CreditLimitRestored,
    CreditUpdated,
)
from ..events.tms import InvoiceIssued, PaymentReceived
from .names import event_queue


@dataclass(frozen=True)
class Subscription:
    service: str
    method: str
    event: type[Event]

    @property
    def queue(self) -> str:
        return event_queue(self.event.source, self.event.routing_key, self.service, self.method)


SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription("customer", "on_invoice_issued", InvoiceIssued),
    Subscription("customer", "on_payment_received", PaymentReceived),
    Subscription("sales", "on_account_created", AccountCreated),
    Subscription("sales", "on_account_updated", AccountUpdated),
    Subscription("sales", "on_account_merged", AccountMerged),
    Subscription("sales", "on_contact_created", ContactCreated),
    Subscription("sales", "on_contact_updated", ContactUpdated),
    Subscription("sales", "on_contact_deleted", ContactDeleted),
    Subscription("sales", "on_credit_updated", CreditUpdated),
    Subscription("sales", "on_credit_limit_exceeded", CreditLimitExceeded),
    Subscription("sales", "on_credit_limit_restored", CreditLimitRestored),
    Subscription("sales", "on_user_created", UserCreated),
    Subscription("sales", "on_user_updated", UserUpdated),
    Subscription("sales", "on_user_deactivated", UserDeactivated),
    Subscription("service_desk", "on_account_created", AccountCreated),
    Subscription("service_desk", "on_account_updated", AccountUpdated),
    Subscription("service_desk", "on_account_merged", AccountMerged),
    Subscription("service_desk", "on_contact_created", ContactCreated),
    Subscription("service_desk", "on_contact_updated", ContactUpdated),
    Subscription("service_desk", "on_contact_deleted", ContactDeleted),
    Subscription("service_desk", "on_shipment_booked", ShipmentBooked),
    Subscription("service_desk", "on_shipment_status_changed", ShipmentStatusChanged),
    Subscription("service_desk", "on_shipment_exception", ShipmentException),
    Subscription("service_desk", "on_user_created", UserCreated),
    Subscription("service_desk", "on_user_updated", UserUpdated),
    Subscription("service_desk", "on_user_deactivated", UserDeactivated),
    Subscription("notify", "on_account_created", AccountCreated),
    Subscription("notify", "on_account_updated", AccountUpdated),
    Subscription("notify", "on_account_merged", AccountMerged),
    Subscription("notify", "on_ticket_assigned", service_desk.TicketAssigned),
    Subscription("notify", "on_customer_alert_requested", service_desk.CustomerAlertRequested),
    Subscription("notify", "on_user_created", UserCreated),
    Subscription("notify", "on_user_updated", UserUpdated),
    Subscription("notify", "on_user_deactivated", UserDeactivated),
    Subscription("notify", "on_lead_release_warned", sales.LeadReleaseWarned),
    Subscription("notify", "on_lead_assigned", sales.LeadAssigned),
    Subscription("notify", "on_lead_transferred", sales.LeadTransferred),
    Subscription("notify", "on_lead_import_finished", sales.LeadImportFinished),
    Subscription("notify", "on_quote_approval_requested", sales.QuoteApprovalRequested),
    Subscription("notify", "on_quote_accepted", sales.QuoteAccepted),
    Subscription("notify", "on_quote_rejected", sales.QuoteRejected),
    Subscription("notify", "on_contract_renewal_due", sales.ContractRenewalDue),
    Subscription("notify", "on_milestone_due", sales.MilestoneDue),
    Subscription("notify", "on_milestone_overdue", sales.MilestoneOverdue),
    Subscription("notify", "on_activity_due", sales.ActivityDue),
    Subscription("notify", "on_activity_overdue", sales.ActivityOverdue),
    Subscription("notify", "on_ticket_sla_warning", service_desk.TicketSlaWarning),
    Subscription("notify", "on_ticket_sla_breached", service_desk.TicketSlaBreached),
    Subscription("analytics", "on_account_created", AccountCreated),
    Subscription("analytics", "on_account_updated", AccountUpdated),
    Subscription("analytics", "on_account_merged", AccountMerged),
    Subscription("analytics", "on_shipment_booked", ShipmentBooked),
)


def find(service: str, method: str, event: type[Event]) -> Subscription | None:
    for sub in SUBSCRIPTIONS:
        if (sub.service, sub.method, sub.event) == (service, method, event):
            return sub
    return None


def for_service(service: str) -> list[Subscription]:
    return [s for s in SUBSCRIPTIONS if s.service == service]
