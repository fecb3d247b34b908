"""The receivables ledger: invoices and payments from the TMS/ERP, summed per account.

Sums are order-independent, so events applied in any order give the same balance; a payment that
arrives before its invoice simply counts first.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from .models import Invoice, Payment

CENT = Decimal("0.01")


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def balances(session: Session, account_id: str) -> dict[str, Decimal]:
    """Invoiced minus paid, per currency."""
    totals: dict[str, Decimal] = {}
    for model, sign in ((Invoice, 1), (Payment, -1)):
        rows = session.execute(select(model.currency, func.sum(model.amount)).where(model.account_id == account_id)
                               .group_by(model.currency))
        for currency, amount in rows:
            totals[currency] = totals.get(currency, Decimal("0.00")) + sign * _money(amount)
    return totals


def overdue(session: Session, account_id: str, today: date) -> dict[str, Decimal]:
    """What is still unpaid on invoices whose due date has passed, per currency."""
    paid = (select(Payment.invoice_number, func.sum(Payment.amount).label("paid"))
            .where(Payment.account_id == account_id).group_by(Payment.invoice_number).subquery())
    open_amount = Invoice.amount - func.coalesce(paid.c.paid, 0)
    rows = session.execute(
        select(Invoice.currency, func.sum(open_amount)).select_from(Invoice)
        .outerjoin(paid, paid.c.invoice_number == Invoice.invoice_number)
        .where(Invoice.account_id == account_id, Invoice.due_on < today, open_amount > 0)
        .group_by(Invoice.currency))
    return {currency: _money(total) for currency, total in rows}


def adopt(session: Session, account_id: str, customer_code: str) -> int:
    """Give an account the invoices and payments that arrived before it existed; returns how many."""
    moved = 0
    for model in (Invoice, Payment):
        moved += session.execute(update(model).where(model.customer_code == customer_code,
                                                     model.account_id.is_(None)).values(account_id=account_id)
                                 ).rowcount
    return moved


def move(session: Session, from_account: str, to_account: str) -> dict[str, int]:
    """Re-point a merged duplicate's invoices and payments to the survivor."""
    return {name: session.execute(update(model).where(and_(model.account_id == from_account))
                                  .values(account_id=to_account)).rowcount
            for name, model in (("invoices", Invoice), ("payments", Payment))}
