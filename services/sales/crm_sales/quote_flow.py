"""A quote's life after pricing: approval, sending, the customer's answer, and daily expiry.

draft ──send──► sent ──accept──► accepted
pending_approval ──approve──► approved ──send──► sent ──reject──► rejected
(any open state past ``valid_until``) ──expire──► expired
Each step is one conditional UPDATE on the current status, so a race changes a quote once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, Forbidden
from crm_contracts.events.base import Event
from crm_contracts.events.sales import QuoteAccepted, QuoteApproved, QuoteExpired, QuoteRejected, QuoteSent
from crm_contracts.identity import Identity
from sqlalchemy import select, update

from . import access
from .models import AUDIT, Quote
from .quotes import OPEN, get, snapshot


def _step(uow: UnitOfWork, actor: Identity | None, quote: Quote, allowed: tuple[str, ...], status: str,
          event: type[Event], **values: Any) -> Quote:
    if quote.status not in allowed:
        raise Conflict(f"Quote {quote.number} v{quote.version} is {quote.status}; it cannot become {status} "
                       f"(only from {', '.join(allowed)}).")
    now = utcnow()
    result = uow.session.execute(update(Quote).where(Quote.id == quote.id, Quote.status == quote.status)
                                 .values(status=status, updated_at=now, row_version=Quote.row_version + 1,
                                         **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict(f"Quote {quote.number} changed meanwhile; reload it.")
    before = quote.status
    quote = uow.session.get(Quote, quote.id, populate_existing=True)
    audit.record(uow.session, AUDIT, entity="quote", entity_id=quote.id, action=status, actor=actor,
                 changes={"status": {"old": before, "new": status},
                          **{k: {"old": None, "new": str(v)} for k, v in values.items() if v is not None}})
    extra = {"reason": values.get("decision_reason")} if event is QuoteRejected else {}
    uow.emit(event, actor=actor, **snapshot(quote), **extra)
    return quote


def approve(uow: UnitOfWork, actor: Identity, quote_id: str) -> Quote:
    quote = get(uow.session, actor, quote_id)
    if not access.may_manage(actor, quote.region):
        raise Forbidden("Only a sales manager of the region approves quotes.")
    return _step(uow, actor, quote, ("pending_approval",), "approved", QuoteApproved, approved_by=actor.user_id,
                 approved_at=utcnow())


def send(uow: UnitOfWork, actor: Identity, quote_id: str, today: date | None = None) -> Quote:
    quote = get(uow.session, actor, quote_id)
    access.require_owner_or_manager(actor, quote.owner_id, quote.region, "send this quote")
    if quote.status == "pending_approval":
        raise Conflict(f"Quote {quote.number} needs approval first: {'; '.join(quote.approval_reasons)}.",
                       approval_reasons=quote.approval_reasons)
    if quote.valid_until < (today or date.today()):
        raise Conflict(f"Quote {quote.number} expired on {quote.valid_until.isoformat()}; revise it.")
    return _step(uow, actor, quote, ("draft", "approved"), "sent", QuoteSent, sent_at=utcnow())


def accept(uow: UnitOfWork, actor: Identity, quote_id: str, reason: str | None = None,
           today: date | None = None) -> Quote:
    quote = get(uow.session, actor, quote_id)
    access.require_owner_or_manager(actor, quote.owner_id, quote.region, "record the customer's answer")
    if quote.valid_until < (today or date.today()):
        raise Conflict(f"Quote {quote.number} expired on {quote.valid_until.isoformat()}; it can no longer be "
                       "accepted — revise it for a new validity.")
    return _step(uow, actor, quote, ("sent",), "accepted", QuoteAccepted, decided_at=utcnow(),
                 decision_reason=reason)


def reject(uow: UnitOfWork, actor: Identity, quote_id: str, reason: str | None = None) -> Quote:
    quote = get(uow.session, actor, quote_id)
    access.require_owner_or_manager(actor, quote.owner_id, quote.region, "record the customer's answer")
    return _step(uow, actor, quote, ("sent",), "rejected", QuoteRejected, decided_at=utcnow(),
                 decision_reason=reason)


def expire_due(uow: UnitOfWork, today: date | None = None, now: datetime | None = None, batch: int = 500) -> int:
    """Mark open quotes past their validity expired (the daily expiry; safe to run anywhere, often)."""
    today = today or date.today()
    expired = 0
    for quote in uow.session.scalars(select(Quote).where(Quote.status.in_(OPEN), Quote.valid_until < today)
                                     .limit(batch)).all():
        try:
            _step(uow, None, quote, OPEN, "expired", QuoteExpired)
        except Conflict:  # another instance expired or changed it first
            continue
        expired += 1
    return expired
