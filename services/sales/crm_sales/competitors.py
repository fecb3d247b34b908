"""Competitors (竞争对手管理): profile, lanes, prices seen in the market, win/loss against each."""

from __future__ import annotations

from datetime import date
from typing import Any

from crm_contracts import jsonio, normalize
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, NotFound
from crm_contracts.events.sales import CompetitorChanged
from crm_contracts.identity import Identity
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from . import access
from .listing import where_equal
from .models import AUDIT, Competitor, CompetitorPrice, Opportunity, OpportunityCompetitor

WRITERS = (*access.SELLERS, "marketing")
FIELDS = ("name", "website", "strengths", "weaknesses", "lanes", "notes")
SORTS = {"name": Competitor.name, "created_at": Competitor.created_at, "updated_at": Competitor.updated_at}
PRICE_SORTS = {"seen_on": CompetitorPrice.seen_on, "recorded_at": CompetitorPrice.recorded_at}


def _unique_name(session: Session, name: str, exclude: str | None = None) -> str:
    key = normalize.company_name(name)
    clash = session.scalar(select(Competitor.id).where(Competitor.name_key == key))
    if clash and clash != exclude:
        raise Conflict(f"Competitor '{name}' already exists.", duplicates=[{"kind": "competitor", "id": clash}])
    return key


def create(uow: UnitOfWork, actor: Identity, data: dict[str, Any]) -> Competitor:
    access.require(actor, WRITERS, "record competitors")
    now = utcnow()
    competitor = Competitor(**{k: data.get(k) for k in FIELDS}, name_key=_unique_name(uow.session, data["name"]),
                            lane_keys=_lane_keys(data.get("lanes")), created_by=actor.user_id, created_at=now,
                            updated_at=now)
    uow.session.add(competitor)
    uow.session.flush()
    audit.record(uow.session, AUDIT, entity="competitor", entity_id=competitor.id, action="created", actor=actor,
                 changes=audit.diff({}, {k: getattr(competitor, k) for k in FIELDS}))
    uow.emit(CompetitorChanged, actor=actor, competitor_id=competitor.id, name=competitor.name, change="created")
    return competitor


def get(session: Session, actor: Identity, competitor_id: str) -> Competitor:
    access.require_staff(actor)
    competitor = session.get(Competitor, str(competitor_id))
    if competitor is None:
        raise NotFound(f"Competitor {competitor_id} was not found.")
    return competitor


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[Competitor], str | None]:
    access.require_staff(actor)
    stmt = select(Competitor)
    if query.get("q"):
        stmt = stmt.where(or_(Competitor.name.ilike(f"%{query['q'].strip()}%"),
                              Competitor.name_key.like(f"%{normalize.company_name(query['q'])}%")))
    if any(query.get(k) for k in ("origin", "destination", "mode")):
        # '_' matches one character: a missing UN/LOCODE stays within one lane token.
        pattern = f"%|{query.get('origin') or '_____'}>{query.get('destination') or '_____'}:"
        stmt = stmt.where(Competitor.lane_keys.like(pattern + (f"{query['mode']}|%" if query.get("mode") else "%")))
    return paginate(session, stmt, id_column=Competitor.id, allowed_sorts=SORTS, default_sort=["name"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def _lane_keys(lanes: list[dict[str, Any]] | None) -> str:
    return "|" + "".join(f"{x['origin']}>{x['destination']}:{x['mode']}|" for x in lanes or [])


def update(uow: UnitOfWork, actor: Identity, competitor_id: str, data: dict[str, Any],
           expected_version: int | None = None) -> Competitor:
    access.require(actor, WRITERS, "change competitors")
    competitor = get(uow.session, actor, competitor_id)
    access.check_version("Competitor", competitor_id, competitor.version, expected_version)
    before = {k: getattr(competitor, k) for k in FIELDS}
    if "name" in data:
        competitor.name_key = _unique_name(uow.session, data["name"], exclude=competitor.id)
    for key, value in data.items():
        setattr(competitor, key, value)
    competitor.lane_keys = _lane_keys(competitor.lanes)
    changes = audit.diff(before, {k: getattr(competitor, k) for k in FIELDS})
    if changes:
        competitor.updated_at = utcnow()
        uow.session.flush()
        audit.record(uow.session, AUDIT, entity="competitor", entity_id=competitor.id, action="updated",
                     actor=actor, changes=changes)
        uow.emit(CompetitorChanged, actor=actor, competitor_id=competitor.id, name=competitor.name,
                 change="updated")
    return competitor


def record_price(uow: UnitOfWork, actor: Identity, competitor_id: str, data: dict[str, Any]) -> CompetitorPrice:
    access.require(actor, WRITERS, "record competitor prices")
    competitor = get(uow.session, actor, competitor_id)
    price = CompetitorPrice(competitor_id=competitor.id, origin=data["origin"], destination=data["destination"],
                            mode=data["mode"], amount=data["price"]["amount"], currency=data["price"]["currency"],
                            unit=data["unit"], seen_on=data.get("seen_on") or date.today(),
                            opportunity_id=str(data["opportunity_id"]) if data.get("opportunity_id") else None,
                            note=data.get("note"), recorded_by=actor.user_id, recorded_at=utcnow())
    uow.session.add(price)
    uow.session.flush()
    audit.record(uow.session, AUDIT, entity="competitor", entity_id=competitor.id, action="price_recorded",
                 actor=actor, changes={"price": {"old": None, "new": price_out(price)}})
    uow.emit(CompetitorChanged, actor=actor, competitor_id=competitor.id, name=competitor.name,
             change="price_recorded")
    return price


def list_prices(session: Session, actor: Identity, competitor_id: str,
                query: dict[str, Any]) -> tuple[list[CompetitorPrice], str | None]:
    competitor = get(session, actor, competitor_id)
    stmt = select(CompetitorPrice).where(CompetitorPrice.competitor_id == competitor.id)
    stmt = where_equal(stmt, CompetitorPrice, query, ("origin", "destination", "mode"))
    return paginate(session, stmt, id_column=CompetitorPrice.id, allowed_sorts=PRICE_SORTS,
                    default_sort=["-seen_on"], sort=query.get("sort"), cursor=query.get("cursor"),
                    limit=query.get("limit", 50))


def win_loss(session: Session, actor: Identity, competitor_id: str) -> dict[str, Any]:
    """Outcomes of the opportunities (visible to the caller) this competitor was in."""
    in_play = select(OpportunityCompetitor.opportunity_id).where(OpportunityCompetitor.competitor_id == competitor_id)
    stmt = access.visible(select(Opportunity.status, Opportunity.lost_to_competitor_id == competitor_id, func.count()),
                          actor, Opportunity)
    rows = session.execute(stmt.where(or_(Opportunity.id.in_(in_play),
                                          Opportunity.lost_to_competitor_id == competitor_id))
                           .group_by(Opportunity.status, Opportunity.lost_to_competitor_id == competitor_id)).all()
    counts = {"open": 0, "won": 0, "lost": 0, "lost_to_them": 0}
    for status, to_them, count in rows:
        counts[status] += count
        counts["lost_to_them"] += count if to_them else 0
    decided = counts["won"] + counts["lost"]
    return {"opportunities": counts["open"] + decided, **counts,
            "win_rate": round(counts["won"] / decided, 4) if decided else None}


def to_out(session: Session, actor: Identity, competitor: Competitor) -> dict[str, Any]:
    return jsonio.to_jsonable({"id": competitor.id, **{k: getattr(competitor, k) for k in FIELDS},
                               "strengths": competitor.strengths or [], "weaknesses": competitor.weaknesses or [],
                               "lanes": competitor.lanes or [], "win_loss": win_loss(session, actor, competitor.id),
                               "created_at": competitor.created_at, "updated_at": competitor.updated_at,
                               "version": competitor.version})


def price_out(price: CompetitorPrice) -> dict[str, Any]:
    return jsonio.to_jsonable({
        "id": price.id, "competitor_id": price.competitor_id, "origin": price.origin,
        "destination": price.destination, "mode": price.mode,
        "price": {"amount": price.amount, "currency": price.currency}, "unit": price.unit,
        "seen_on": price.seen_on, "opportunity_id": price.opportunity_id, "note": price.note,
        "recorded_by": price.recorded_by, "recorded_at": price.recorded_at})
