"""Finance's exchange rates: listed to every staff role, set by finance and admins.

A new or changed rate re-settles, in the same transaction, every account whose ledger or limit is in
that currency, so balances, utilisation and the over-limit events follow the rate at once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import ValidationFailed
from crm_contracts.identity import Identity
from sqlalchemy import select, union
from sqlalchemy.orm import Session

from . import credit, fx, lookup
from .access import CREDIT_WRITERS, require
from .concurrency import flush
from .models import AUDIT, Account, Credit, FxRate, Invoice, Payment

RESETTLE_BATCH = 500
PLACES = Decimal("0.00000001")  # the column's scale, whatever the database hands back


def list_(session: Session) -> list[dict[str, Any]]:
    return [to_out(rate) for rate in session.scalars(select(FxRate).order_by(FxRate.currency))]


def set_rate(uow: UnitOfWork, actor: Identity, currency: str, rate: Decimal,
             expected_version: int | None = None) -> FxRate:
    require(actor, CREDIT_WRITERS, "set exchange rates")
    if currency == fx.BASE:
        raise ValidationFailed(errors={"currency": [f"{fx.BASE} is the base currency: its rate is always 1."]})
    session = uow.session
    row = session.get(FxRate, currency, with_for_update=True)
    before = None if row is None else str(row.rate)
    if row is None:
        row = FxRate(currency=currency, rate=rate, updated_by=actor.user_id, version=1)
        session.add(row)
    else:
        lookup.check_version(f"The rate of {currency}", row.version, expected_version)
        row.rate, row.updated_at, row.updated_by = rate, utcnow(), actor.user_id
    flush(session, f"The rate of {currency}")
    audit.record(session, AUDIT, entity="fx_rate", entity_id=currency,
                 action="created" if before is None else "updated", actor=actor,
                 changes={"rate": {"old": before, "new": str(rate)}})
    _resettle(uow, actor, currency)
    return row


def _resettle(uow: UnitOfWork, actor: Identity, currency: str) -> None:
    """Settle again every account with receivables or a limit in ``currency``, a batch at a time."""
    holders = union(select(Invoice.account_id).where(Invoice.currency == currency, Invoice.account_id.isnot(None)),
                    select(Payment.account_id).where(Payment.currency == currency, Payment.account_id.isnot(None)),
                    select(Credit.account_id).where(Credit.currency == currency)).subquery()
    ids = list(uow.session.scalars(select(holders.c[0])))
    table = fx.rates(uow.session)  # once, the new rate included, rather than once per account
    for start in range(0, len(ids), RESETTLE_BATCH):
        accounts = uow.session.scalars(select(Account).where(Account.id.in_(ids[start:start + RESETTLE_BATCH])))
        for account in accounts:
            profile = credit.profile(uow.session, account)
            credit.settle(uow, actor, account, profile, credit.state(profile), f"rate of {currency} set", table)


def to_out(rate: FxRate) -> dict[str, Any]:
    return jsonio.to_jsonable({"currency": rate.currency, "rate": str(Decimal(rate.rate).quantize(PLACES)),
                               "base": fx.BASE, "updated_at": rate.updated_at, "updated_by": rate.updated_by,
                               "version": rate.version})
