"""Credit (客户信用): limit, currency, payment terms, hold, and the balance against the limit.

The balance is invoiced minus paid in every currency, converted into the limit's currency with
finance's exchange rates (``fx``); a currency without a rate is left out and named in ``unconverted``.
Every change — by finance, or by an invoice, a payment or a new rate — is audited and published as
``credit.updated``; crossing the limit either way also publishes ``credit.limit_exceeded`` /
``credit.limit_restored`` so sales can block or escalate new quotes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Forbidden
from crm_contracts.events.customer import CreditLimitExceeded, CreditLimitRestored, CreditUpdated
from crm_contracts.identity import Identity
from sqlalchemy.orm import Session

from . import fx, ledger, lookup
from .access import CREDIT_WRITERS, require, sees_credit
from .concurrency import flush
from .models import AUDIT, Account, Credit

DEFAULT_CURRENCY = "CNY"
DEFAULT_TERMS_DAYS = 30
TRACKED = ("credit_limit", "currency", "payment_terms_days", "credit_hold", "hold_reason", "receivables",
           "over_limit")
RATIO = Decimal("0.0001")


def profile(session: Session, account: Account, *, currency: str | None = None) -> Credit:
    """The account's credit row, locked for update; a new one (not yet flushed) when there is none."""
    credit = session.get(Credit, account.id, with_for_update=True)
    if credit is None:
        credit = Credit(account_id=account.id, credit_limit=None, currency=currency or DEFAULT_CURRENCY,
                        payment_terms_days=DEFAULT_TERMS_DAYS, credit_hold=False, receivables=Decimal("0.00"),
                        over_limit=False, version=0)
        session.add(credit)
    return credit


def state(credit: Credit) -> dict[str, Any]:
    return {k: getattr(credit, k) for k in TRACKED}


def utilisation(credit: Credit) -> Decimal | None:
    if not credit.credit_limit:
        return None
    return (Decimal(credit.receivables) / Decimal(credit.credit_limit)).quantize(RATIO)


def _money(amount: Decimal | None, currency: str) -> dict[str, Any] | None:
    return None if amount is None else {"amount": Decimal(amount).quantize(ledger.CENT), "currency": currency}


def _snapshot(account: Account, credit: Credit) -> dict[str, Any]:
    return {"account_id": account.id, "customer_code": account.customer_code,
            "credit_limit": _money(credit.credit_limit, credit.currency),
            "payment_terms_days": credit.payment_terms_days, "credit_hold": credit.credit_hold,
            "receivables": _money(credit.receivables, credit.currency), "utilisation": utilisation(credit),
            "over_limit": credit.over_limit, "version": credit.version}


def settle(uow: UnitOfWork, actor: Identity | None, account: Account, credit: Credit, before: dict[str, Any],
           action: str, rates: fx.Rates | None = None) -> None:
    """Re-derive the balance and over-limit flag, then audit and publish whatever changed. ``rates``:
    the exchange rates, when the caller holds them already (a new rate re-settles many accounts)."""
    with uow.session.no_autoflush:  # a new profile is inserted once, below, at version 1
        balances = ledger.balances(uow.session, account.id)
        table = rates
        if table is None:
            table = fx.rates(uow.session) if fx.needed(balances, credit.currency) else {}
        credit.receivables, _ = fx.total_in(balances, credit.currency, table)
    credit.over_limit = credit.credit_limit is not None and credit.receivables > credit.credit_limit
    changes = audit.diff(before, state(credit))
    if not changes:
        return
    credit.updated_at = utcnow()
    flush(uow.session, f"Credit of {account.customer_code}")
    audit.record(uow.session, AUDIT, entity="credit", entity_id=account.id, action=action, actor=actor,
                 changes=changes)
    body = _snapshot(account, credit)
    uow.emit(CreditUpdated, actor=actor, changed=sorted(changes), **body)
    if "over_limit" in changes:
        uow.emit(CreditLimitExceeded if credit.over_limit else CreditLimitRestored, actor=actor, **body)


def update(uow: UnitOfWork, actor: Identity, account_id: str, data: dict[str, Any],
           expected_version: int | None = None) -> tuple[Account, Credit]:
    """Finance sets the terms; a limit in another currency switches the currency balances are kept in."""
    account = lookup.get(uow.session, actor, account_id)
    require(actor, CREDIT_WRITERS, "change credit terms")
    credit = profile(uow.session, account)
    lookup.check_version(f"Credit of account {account_id}", credit.version, expected_version)
    before = state(credit)
    if "credit_limit" in data:
        limit = data["credit_limit"]
        credit.credit_limit = None if limit is None else Decimal(limit["amount"])
        credit.currency = credit.currency if limit is None else limit["currency"]
    for key in ("payment_terms_days", "credit_hold", "hold_reason"):
        if key in data:
            setattr(credit, key, data[key])
    if credit.credit_hold is False:
        credit.hold_reason = None
    settle(uow, actor, account, credit, before, "updated")
    return account, credit


def get(session: Session, actor: Identity, account_id: str) -> tuple[Account, Credit]:
    account = lookup.get(session, actor, account_id)
    if not sees_credit(actor):
        raise Forbidden(f"Your role ({actor.role}) may not see credit.")
    return account, of(session, account)


def of(session: Session, account: Account) -> Credit:
    """The account's credit as stored, or the defaults (version 0) when never set nor invoiced."""
    credit = session.get(Credit, account.id)
    if credit is None:
        credit = Credit(account_id=account.id, credit_limit=None, currency=DEFAULT_CURRENCY,
                        payment_terms_days=DEFAULT_TERMS_DAYS, credit_hold=False, receivables=Decimal("0.00"),
                        over_limit=False, version=0)
    return credit


def to_out(session: Session, credit: Credit, today: date | None = None) -> dict[str, Any]:
    today = today or utcnow().date()
    # Every invoice, payment, adoption or merge creates the credit row, so a default one has no ledger.
    balances = ledger.balances(session, credit.account_id) if credit.version else {}
    late = ledger.overdue(session, credit.account_id, today) if credit.version else {}
    # An overdue invoice can be in a currency whose balance is nil (its payment counted against another).
    table = fx.rates(session) if fx.needed(balances, credit.currency) or fx.needed(late, credit.currency) else {}
    others = [_money(amount, currency) for currency, amount in sorted(balances.items())
              if currency != credit.currency and amount]
    overdue, late_unconverted = fx.total_in(late, credit.currency, table)
    unconverted = sorted(set(fx.total_in(balances, credit.currency, table)[1]) | set(late_unconverted))
    return jsonio.to_jsonable({
        "account_id": credit.account_id, "credit_limit": _money(credit.credit_limit, credit.currency),
        "currency": credit.currency, "payment_terms_days": credit.payment_terms_days,
        "credit_hold": credit.credit_hold, "hold_reason": credit.hold_reason,
        "receivables": _money(credit.receivables, credit.currency),
        "overdue": _money(overdue, credit.currency),
        "other_currencies": others, "unconverted": unconverted, "utilisation": utilisation(credit),
        "over_limit": credit.over_limit,
        "updated_at": credit.updated_at, "version": credit.version,
    })
