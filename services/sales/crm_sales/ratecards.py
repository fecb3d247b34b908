"""Rate cards per lane (origin/destination UN/LOCODE and mode) with weight breaks, minimum charge,
default surcharges and a validity window. Pricing staff (admin, sales managers) maintain them."""

from __future__ import annotations

from datetime import date
from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import NotFound, ValidationFailed
from crm_contracts.events.sales import RateCardChanged
from crm_contracts.identity import Identity
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import access
from .freight import PER_UNIT
from .listing import where_equal
from .models import AUDIT, RateCard

FIELDS = ("name", "origin", "destination", "mode", "currency", "breaks", "min_charge", "surcharges",
          "valid_from", "valid_to", "active")
SORTS = {"created_at": RateCard.created_at, "valid_from": RateCard.valid_from, "name": RateCard.name}


def basis(mode: str) -> str:
    return "unit" if mode in PER_UNIT else "revenue_ton" if mode == "sea_lcl" else "kg"


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Breaks and surcharges are stored as JSON with decimal strings."""
    return {k: jsonio.to_jsonable(v) if k in ("breaks", "surcharges") else v for k, v in data.items()}


def _event(uow: UnitOfWork, actor: Identity, card: RateCard, change: str) -> None:
    uow.emit(RateCardChanged, actor=actor, rate_card_id=card.id, name=card.name, origin=card.origin,
             destination=card.destination, mode=card.mode, active=card.active, change=change)


def create(uow: UnitOfWork, actor: Identity, data: dict[str, Any]) -> RateCard:
    access.require(actor, access.MANAGERS, "maintain rate cards")
    now = utcnow()
    card = RateCard(**_plain(data), active=True, created_by=actor.user_id, created_at=now, updated_at=now)
    uow.session.add(card)
    uow.session.flush()
    audit.record(uow.session, AUDIT, entity="rate_card", entity_id=card.id, action="created", actor=actor,
                 changes=audit.diff({}, {k: getattr(card, k) for k in FIELDS}))
    _event(uow, actor, card, "created")
    return card


def get(session: Session, actor: Identity, rate_card_id: str) -> RateCard:
    access.require_staff(actor)
    card = session.get(RateCard, str(rate_card_id))
    if card is None:
        raise NotFound(f"Rate card {rate_card_id} was not found.")
    return card


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[RateCard], str | None]:
    access.require_staff(actor)
    stmt = select(RateCard)
    stmt = where_equal(stmt, RateCard, query, ("origin", "destination", "mode", "active"))
    if query.get("valid_on"):
        stmt = stmt.where(RateCard.valid_from <= query["valid_on"], RateCard.valid_to >= query["valid_on"])
    if query.get("q"):
        stmt = stmt.where(RateCard.name.ilike(f"%{query['q'].strip()}%"))
    return paginate(session, stmt, id_column=RateCard.id, allowed_sorts=SORTS, default_sort=["-created_at"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def update(uow: UnitOfWork, actor: Identity, rate_card_id: str, data: dict[str, Any],
           expected_version: int | None = None) -> RateCard:
    access.require(actor, access.MANAGERS, "maintain rate cards")
    card = get(uow.session, actor, rate_card_id)
    access.check_version("Rate card", rate_card_id, card.version, expected_version)
    before = {k: getattr(card, k) for k in FIELDS}
    for key, value in _plain(data).items():
        setattr(card, key, value)
    if card.valid_to < card.valid_from:
        raise ValidationFailed(errors={"valid_to": ["valid_to is before valid_from."]})
    changes = audit.diff(before, {k: getattr(card, k) for k in FIELDS})
    if changes:
        card.updated_at = utcnow()
        uow.session.flush()
        audit.record(uow.session, AUDIT, entity="rate_card", entity_id=card.id, action="updated", actor=actor,
                     changes=changes)
        _event(uow, actor, card, "updated")
    return card


def for_lane(session: Session, *, origin: str, destination: str, mode: str, on: date,
             rate_card_id: str | None = None) -> RateCard:
    """The card a quote prices with: the one named, else the lane's active card valid ``on`` that
    started last. Without one the quote cannot be priced (422)."""
    stmt = select(RateCard).where(RateCard.origin == origin, RateCard.destination == destination,
                                  RateCard.mode == mode, RateCard.active.is_(True), RateCard.valid_from <= on,
                                  RateCard.valid_to >= on)
    if rate_card_id:
        stmt = stmt.where(RateCard.id == str(rate_card_id))
    card = session.scalar(stmt.order_by(RateCard.valid_from.desc(), RateCard.created_at.desc()).limit(1))
    if card is None:
        field = "rate_card_id" if rate_card_id else "lane"
        raise ValidationFailed(errors={field: [f"No active rate card for {origin}→{destination} by {mode} "
                                               f"valid on {on.isoformat()}."]})
    return card


def to_out(card: RateCard) -> dict[str, Any]:
    return jsonio.to_jsonable({"id": card.id, **{k: getattr(card, k) for k in FIELDS}, "basis": basis(card.mode),
                               "created_at": card.created_at, "updated_at": card.updated_at,
                               "version": card.version})
