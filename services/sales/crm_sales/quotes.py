"""Freight quotes: priced from the lane's rate card, versioned (a revision is a new row with the same
number), and held for approval when the discount or margin crosses the policy or the customer's
credit is on hold or over its limit."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import account_view, audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, NotFound, ValidationFailed
from crm_contracts.events.sales import QuoteApprovalRequested, QuoteCreated
from crm_contracts.identity import Identity
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import access, directory, freight, ratecards, settings
from .listing import where_equal
from .models import AUDIT, AccountCredit, Quote, RateCard
from .opportunities import get as get_opportunity

CARGO = ("incoterm", "cargo_type", "pieces", "weight_kg", "volume_cbm", "dimensions", "notes")
OPEN = ("draft", "pending_approval", "approved", "sent")
SORTS = {"created_at": Quote.created_at, "valid_until": Quote.valid_until, "number": Quote.number,
         "total": Quote.total}
AUDITED = ("status", "account_id", "opportunity_id", "rate_card_id", "mode", "origin", "destination", *CARGO,
           "chargeable", "currency", "freight", "discount_pct", "total", "margin_pct", "valid_until")


def snapshot(quote: Quote) -> dict[str, Any]:
    return {"quote_id": quote.id, "number": quote.number, "quote_version": quote.version,
            "account_id": quote.account_id, "opportunity_id": quote.opportunity_id, "owner_id": quote.owner_id,
            "region": quote.region, "status": quote.status, "mode": quote.mode, "origin": quote.origin,
            "destination": quote.destination, "total": {"amount": quote.total, "currency": quote.currency},
            "valid_until": quote.valid_until}


def _account(session: Session, actor: Identity, data: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(account_id, opportunity_id, region) the quote is for, checked against what the actor sees."""
    if data.get("opportunity_id"):
        opp = get_opportunity(session, actor, str(data["opportunity_id"]))
        if data.get("account_id") and str(data["account_id"]) != opp.account_id:
            raise ValidationFailed(errors={"account_id": ["The opportunity belongs to another account."]})
        return opp.account_id, opp.id, opp.region
    account = directory.customer_account(session, str(data["account_id"]))
    if account is None or not account_view.visible_to(actor, account):
        raise NotFound(f"Account {data['account_id']} was not found.")
    return account.account_id, None, account.region


def approval_reasons(session: Session, account_id: str, priced: freight.Priced,
                     discount_pct: Decimal) -> list[str]:
    policy = settings.section(session, "quotes")
    reasons = []
    if discount_pct > policy["discount_approval_pct"]:
        reasons.append(f"discount {discount_pct}% is above {policy['discount_approval_pct']}%")
    if priced.margin_pct is not None and priced.margin_pct < policy["min_margin_pct"]:
        reasons.append(f"margin {priced.margin_pct}% is below {policy['min_margin_pct']}%")
    credit = session.get(AccountCredit, account_id)
    if credit is not None and credit.credit_hold:
        reasons.append("the account is on credit hold")
    if credit is not None and credit.over_limit:
        reasons.append("the account is over its credit limit")
    return reasons


def _price(session: Session, quote: Quote, card: RateCard, data: dict[str, Any]) -> None:
    """Fill the quote's cargo, prices and approval reasons from ``data`` and the rate card."""
    for key in CARGO:
        setattr(quote, key, jsonio.to_jsonable(data.get(key)) if key == "dimensions" else data.get(key))
    value = data.get("cargo_value")
    if value is not None and value["currency"] != card.currency:
        raise ValidationFailed(errors={"cargo_value": [f"Give the cargo value in {card.currency}."]})
    cargo = freight.Cargo(mode=card.mode, pieces=quote.pieces, weight_kg=quote.weight_kg,
                          volume_cbm=quote.volume_cbm, dimensions=data.get("dimensions") or (),
                          cargo_value=value["amount"] if value else None)
    surcharges = data["surcharges"] if data.get("surcharges") is not None else card.surcharges
    priced = freight.price({"breaks": card.breaks, "min_charge": card.min_charge}, cargo, surcharges,
                           data["discount_pct"])
    quote.rate_card_id, quote.currency = card.id, card.currency
    quote.chargeable, quote.chargeable_unit = priced.chargeable, priced.unit
    quote.volume_cbm = priced.volume_cbm if data.get("dimensions") else quote.volume_cbm
    quote.freight, quote.surcharges = priced.freight, jsonio.to_jsonable(priced.surcharges)
    quote.discount_pct, quote.discount, quote.total = data["discount_pct"], priced.discount, priced.total
    quote.cost, quote.margin_pct = priced.cost, priced.margin_pct
    quote.cargo_value, quote.cargo_currency = (value["amount"], value["currency"]) if value else (None, None)
    quote.approval_reasons = approval_reasons(session, quote.account_id, priced, data["discount_pct"])
    quote.status = "pending_approval" if quote.approval_reasons else "draft"


def _valid_until(session: Session, data: dict[str, Any], today: date) -> date:
    chosen = data.get("valid_until") or today + timedelta(days=settings.section(session, "quotes")["validity_days"])
    if chosen < today:
        raise ValidationFailed(errors={"valid_until": ["A quote cannot be valid only in the past."]})
    return chosen


def _store(uow: UnitOfWork, actor: Identity, quote: Quote, action: str) -> Quote:
    uow.session.add(quote)
    uow.session.flush()
    audit.record(uow.session, AUDIT, entity="quote", entity_id=quote.id, action=action, actor=actor,
                 changes=audit.diff({}, {k: getattr(quote, k) for k in AUDITED}))
    uow.emit(QuoteCreated, actor=actor, **snapshot(quote))
    if quote.status == "pending_approval":
        uow.emit(QuoteApprovalRequested, actor=actor, reasons=quote.approval_reasons, **snapshot(quote))
    return quote


def create(uow: UnitOfWork, actor: Identity, data: dict[str, Any], today: date | None = None) -> Quote:
    access.require(actor, access.SELLERS, "quote")
    session, today = uow.session, today or date.today()
    account_id, opportunity_id, region = _account(session, actor, data)
    card = ratecards.for_lane(session, origin=data["origin"], destination=data["destination"], mode=data["mode"],
                              on=today, rate_card_id=data.get("rate_card_id"))
    owner = directory.Owner.acting(session, actor)
    now = utcnow()
    quote = Quote(number=f"Q-{uuid.uuid4().hex[:10].upper()}", version=1, account_id=account_id,
                  opportunity_id=opportunity_id, owner_id=owner.user_id, team=owner.team, region=region,
                  mode=card.mode, origin=card.origin, destination=card.destination,
                  valid_until=_valid_until(session, data, today), created_by=actor.user_id, created_at=now,
                  updated_at=now)
    _price(session, quote, card, data)
    return _store(uow, actor, quote, "created")


def revise(uow: UnitOfWork, actor: Identity, quote_id: str, data: dict[str, Any],
           today: date | None = None) -> Quote:
    """A new version on the same lane; the previous one is superseded."""
    session, today = uow.session, today or date.today()
    old = get(session, actor, quote_id)
    access.require_owner_or_manager(actor, old.owner_id, old.region, "revise this quote")
    if old.status in ("accepted", "superseded"):
        raise Conflict(f"Quote {old.number} v{old.version} is {old.status}; it cannot be revised.")
    card = ratecards.for_lane(session, origin=old.origin, destination=old.destination, mode=old.mode, on=today)
    superseded = session.execute(update(Quote).where(Quote.id == old.id, Quote.status == old.status)
                                 .values(status="superseded", updated_at=utcnow(),
                                         row_version=Quote.row_version + 1)
                                 .execution_options(synchronize_session=False))
    if superseded.rowcount != 1:
        raise Conflict(f"Quote {old.number} changed meanwhile; reload it.")
    now = utcnow()
    quote = Quote(number=old.number, version=old.version + 1, account_id=old.account_id,
                  opportunity_id=old.opportunity_id, owner_id=old.owner_id, team=old.team, region=old.region,
                  mode=old.mode, origin=old.origin, destination=old.destination,
                  valid_until=_valid_until(session, data, today), created_by=actor.user_id, created_at=now,
                  updated_at=now)
    _price(session, quote, card, data)
    return _store(uow, actor, quote, f"revised from v{old.version}")


def get(session: Session, actor: Identity, quote_id: str) -> Quote:
    quote = session.scalar(access.visible(select(Quote).where(Quote.id == str(quote_id)), actor, Quote))
    if quote is None:
        raise NotFound(f"Quote {quote_id} was not found.")
    return quote


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[Quote], str | None]:
    """Quote history: by account, opportunity, status…; current versions unless ``all_versions``."""
    stmt = access.visible(select(Quote), actor, Quote)
    if not query.get("all_versions"):
        stmt = stmt.where(Quote.status != "superseded")
    stmt = where_equal(stmt, Quote, query, ("account_id", "opportunity_id", "status", "owner_id", "mode", "number"))
    return paginate(session, stmt, id_column=Quote.id, allowed_sorts=SORTS, default_sort=["-created_at"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def to_out(quote: Quote) -> dict[str, Any]:
    cargo_value = ({"amount": quote.cargo_value, "currency": quote.cargo_currency}
                   if quote.cargo_value is not None else None)
    return jsonio.to_jsonable({
        "id": quote.id, "number": quote.number, "version": quote.version, "status": quote.status,
        "account_id": quote.account_id, "opportunity_id": quote.opportunity_id, "owner_id": quote.owner_id,
        "region": quote.region, "rate_card_id": quote.rate_card_id, "mode": quote.mode, "origin": quote.origin,
        "destination": quote.destination, **{k: getattr(quote, k) for k in CARGO}, "dimensions": quote.dimensions or [],
        "chargeable": quote.chargeable, "chargeable_unit": quote.chargeable_unit, "currency": quote.currency,
        "freight": quote.freight, "surcharges": quote.surcharges or [], "discount_pct": quote.discount_pct,
        "discount": quote.discount, "total": {"amount": quote.total, "currency": quote.currency},
        "margin_pct": quote.margin_pct, "cargo_value": cargo_value, "approval_reasons": quote.approval_reasons or [],
        "approved_by": quote.approved_by, "approved_at": quote.approved_at, "valid_until": quote.valid_until,
        "sent_at": quote.sent_at, "decided_at": quote.decided_at, "decision_reason": quote.decision_reason,
        "created_by": quote.created_by, "created_at": quote.created_at, "updated_at": quote.updated_at})
