"""Receivables fed by the TMS/ERP: ``invoice.issued`` and ``payment.received``.

Handlers run once per event (the inbox) and in any order: an invoice number keeps the data of its
newest event, each payment is its own row, and the balance is re-summed after every change. Events
for a customer code the CRM does not know yet wait in the ledger until that account is created.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crm_contracts.chassis.database import UnitOfWork
from sqlalchemy import select

from . import credit, ledger, lookup
from .models import Account, Invoice, Payment


def _refresh(uow: UnitOfWork, account: Account, action: str, currency: str | None = None) -> None:
    profile = credit.profile(uow.session, account, currency=currency)
    credit.settle(uow, None, account, profile, credit.state(profile), action)


def invoice_issued(uow: UnitOfWork, event: dict[str, Any]) -> None:
    session = uow.session
    account = lookup.by_code(session, event["customer_code"])
    invoice = session.get(Invoice, event["invoice_number"])
    if invoice is not None and invoice.event_at >= event["occurred_at"]:
        return  # an older (or the same) version of an invoice already applied
    if invoice is None:
        invoice = Invoice(invoice_number=event["invoice_number"])
        session.add(invoice)
    invoice.customer_code = event["customer_code"]
    invoice.account_id = account.id if account else invoice.account_id
    invoice.amount, invoice.currency = Decimal(event["amount"]["amount"]), event["amount"]["currency"]
    invoice.issued_on, invoice.due_on, invoice.event_at = event["issued_on"], event["due_on"], event["occurred_at"]
    session.flush()
    if account is not None:
        _refresh(uow, account, f"invoice {event['invoice_number']} issued", invoice.currency)


def payment_received(uow: UnitOfWork, event: dict[str, Any]) -> None:
    session = uow.session
    if session.get(Payment, str(event["event_id"])) is not None:
        return
    account = lookup.by_code(session, event["customer_code"])
    session.add(Payment(event_id=str(event["event_id"]), invoice_number=event["invoice_number"],
                        customer_code=event["customer_code"], account_id=account.id if account else None,
                        amount=Decimal(event["amount"]["amount"]), currency=event["amount"]["currency"],
                        received_on=event["received_on"], event_at=event["occurred_at"]))
    session.flush()
    if account is not None:
        _refresh(uow, account, f"payment for {event['invoice_number']} received", event["amount"]["currency"])


def adopt(uow: UnitOfWork, account: Account) -> None:
    """A new account takes over what the TMS sent for its code before it existed."""
    if ledger.adopt(uow.session, account.id, account.customer_code):
        first = uow.session.scalar(select(Invoice.currency).where(Invoice.account_id == account.id).limit(1))
        _refresh(uow, account, "receivables adopted", first)


def refresh(uow: UnitOfWork, account: Account, action: str) -> None:
    """Re-sum an account's balance (after a merge moved invoices to it)."""
    _refresh(uow, account, action)
