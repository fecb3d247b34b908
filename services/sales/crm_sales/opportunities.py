"""Opportunities (商机): configurable stages with default probabilities, stage history with time in
stage, competitors in play, lost reasons; audited and published."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import account_view, audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, NotFound, ValidationFailed
from crm_contracts.events.sales import OpportunityCreated, OpportunityStageChanged, OpportunityUpdated
from crm_contracts.identity import Identity
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import access, directory, settings
from .listing import where_equal
from .models import AUDIT, Competitor, Opportunity, OpportunityCompetitor, StageChange

SORTS = {"created_at": Opportunity.created_at, "updated_at": Opportunity.updated_at, "name": Opportunity.name,
         "expected_close": Opportunity.expected_close, "amount": Opportunity.amount,
         "probability": Opportunity.probability, "stage": Opportunity.stage}
FILTERS = ("stage", "status", "owner_id", "account_id", "region", "team")
AUDITED = ("name", "account_id", "contact_id", "owner_id", "team", "region", "stage", "status", "probability",
           "amount", "currency", "expected_close", "lost_reason", "lost_to_competitor_id", "mode", "origin",
           "destination", "notes")
FIELDS = ("name", "contact_id", "probability", "expected_close", "mode", "origin", "destination", "notes")


def stage_of(session: Session, key: str | None) -> dict[str, Any]:
    stages = settings.section(session, "stages")["stages"]
    if key is None:
        return next(s for s in stages if s["kind"] == "open")
    for stage in stages:
        if stage["key"] == key:
            return stage
    raise ValidationFailed(errors={"stage": [f"Unknown stage '{key}'. Use one of: "
                                             f"{', '.join(s['key'] for s in stages)}."]})


def competitor_ids(session: Session, opportunity_id: str) -> list[str]:
    return competitors_of(session, [opportunity_id])[opportunity_id]


def competitors_of(session: Session, opportunity_ids: list[str]) -> dict[str, list[str]]:
    """The competitor ids of each of ``opportunity_ids``, in one query (a page, not a query per row)."""
    found: dict[str, list[str]] = {opportunity_id: [] for opportunity_id in opportunity_ids}
    if opportunity_ids:
        for opportunity_id, competitor_id in session.execute(
                select(OpportunityCompetitor.opportunity_id, OpportunityCompetitor.competitor_id)
                .where(OpportunityCompetitor.opportunity_id.in_(opportunity_ids))
                .order_by(OpportunityCompetitor.opportunity_id, OpportunityCompetitor.competitor_id)):
            found[opportunity_id].append(competitor_id)
    return found


def _set_competitors(session: Session, opportunity_id: str, ids: list[Any]) -> None:
    wanted = sorted({str(i) for i in ids})
    known = set(session.scalars(select(Competitor.id).where(Competitor.id.in_(wanted))))
    if unknown := [i for i in wanted if i not in known]:
        raise ValidationFailed(errors={"competitor_ids": [f"Unknown competitor {', '.join(unknown)}."]})
    session.execute(delete(OpportunityCompetitor).where(OpportunityCompetitor.opportunity_id == opportunity_id))
    session.add_all(OpportunityCompetitor(opportunity_id=opportunity_id, competitor_id=i) for i in wanted)


def snapshot(opp: Opportunity) -> dict[str, Any]:
    amount = {"amount": opp.amount, "currency": opp.currency} if opp.amount is not None else None
    return {"opportunity_id": opp.id, "name": opp.name, "account_id": opp.account_id, "lead_id": opp.lead_id,
            "owner_id": opp.owner_id, "team": opp.team, "region": opp.region, "stage": opp.stage,
            "status": opp.status, "probability": opp.probability, "amount": amount,
            "expected_close": opp.expected_close, "created_at": opp.created_at, "version": opp.version}


def _owner(session: Session, actor: Identity, owner_id: Any, region: str | None) -> directory.Owner:
    if owner_id and str(owner_id) != actor.user_id:
        user = directory.seller(session, str(owner_id))
        if user is None or not access.may_manage(actor, user.region):
            raise ValidationFailed(errors={"owner_id": ["Not an active sales user of your region."]})
        return directory.Owner.of(user)
    return directory.Owner.acting(session, actor)


def create(uow: UnitOfWork, actor: Identity, data: dict[str, Any], *, region: str | None = None,
           now: datetime | None = None) -> Opportunity:
    """``region`` is given by lead conversion, before the new account's event has reached sales."""
    access.require(actor, access.SELLERS, "create opportunities")
    session, now = uow.session, now or utcnow()
    account = directory.customer_account(session, str(data["account_id"]))
    if region is None:
        if account is None or not account_view.visible_to(actor, account):
            raise NotFound(f"Account {data['account_id']} was not found.")
        region = account.region
    owner = _owner(session, actor, data.get("owner_id"), region)
    stage = stage_of(session, data.get("stage"))
    if stage["kind"] != "open":
        raise ValidationFailed(errors={"stage": ["A new opportunity starts in an open stage."]})
    money = data.get("amount") or {}
    opp = Opportunity(**{k: data.get(k) for k in FIELDS if k != "probability"},
                      account_id=account.account_id if account else str(data["account_id"]),
                      lead_id=str(data["lead_id"]) if data.get("lead_id") else None, owner_id=owner.user_id,
                      team=owner.team, region=region, stage=stage["key"], status="open",
                      probability=stage["probability"] if data.get("probability") is None else data["probability"],
                      amount=money.get("amount"), currency=money.get("currency"), stage_entered_at=now,
                      created_by=actor.user_id, created_at=now, updated_at=now)
    opp.contact_id = str(opp.contact_id) if opp.contact_id else None
    session.add(opp)
    session.flush()
    _set_competitors(session, opp.id, data.get("competitor_ids") or [])
    session.add(StageChange(opportunity_id=opp.id, from_stage=None, to_stage=opp.stage, at=now,
                            actor_id=actor.user_id))
    audit.record(session, AUDIT, entity="opportunity", entity_id=opp.id, action="created", actor=actor,
                 changes=audit.diff({}, {k: getattr(opp, k) for k in AUDITED}))
    uow.emit(OpportunityCreated, actor=actor, **snapshot(opp))
    return opp


def get(session: Session, actor: Identity, opportunity_id: str) -> Opportunity:
    opp = session.scalar(access.visible(select(Opportunity).where(Opportunity.id == str(opportunity_id)),
                                        actor, Opportunity))
    if opp is None:
        raise NotFound(f"Opportunity {opportunity_id} was not found.")
    return opp


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[Opportunity], str | None]:
    stmt = access.visible(select(Opportunity), actor, Opportunity)
    stmt = where_equal(stmt, Opportunity, query, FILTERS)
    if query.get("close_from"):
        stmt = stmt.where(Opportunity.expected_close >= query["close_from"])
    if query.get("close_to"):
        stmt = stmt.where(Opportunity.expected_close <= query["close_to"])
    if query.get("q"):
        stmt = stmt.where(Opportunity.name.ilike(f"%{query['q'].strip()}%"))
    return paginate(session, stmt, id_column=Opportunity.id, allowed_sorts=SORTS, default_sort=["-created_at"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def update(uow: UnitOfWork, actor: Identity, opportunity_id: str, data: dict[str, Any],
           expected_version: int | None = None) -> Opportunity:
    session = uow.session
    opp = get(session, actor, opportunity_id)
    access.require_owner_or_manager(actor, opp.owner_id, opp.region, "change this opportunity")
    access.check_version("Opportunity", opportunity_id, opp.version, expected_version)
    before = {k: getattr(opp, k) for k in AUDITED}
    before_competitors = competitor_ids(session, opp.id)
    if "owner_id" in data:
        access.require(actor, access.MANAGERS, "reassign opportunities")
        owner = _owner(session, actor, data.pop("owner_id"), opp.region)
        opp.owner_id, opp.team = owner.user_id, owner.team
    if "amount" in data:
        money = data.pop("amount") or {}
        opp.amount, opp.currency = money.get("amount"), money.get("currency")
    if "competitor_ids" in data:
        _set_competitors(session, opp.id, data.pop("competitor_ids"))
    for key, value in data.items():
        setattr(opp, key, str(value) if key == "contact_id" and value else value)
    changes = audit.diff(before, {k: getattr(opp, k) for k in AUDITED})
    after_competitors = competitor_ids(session, opp.id)
    if after_competitors != before_competitors:
        changes["competitor_ids"] = {"old": before_competitors, "new": after_competitors}
    if not changes:
        return opp
    opp.updated_at = utcnow()
    session.flush()
    audit.record(session, AUDIT, entity="opportunity", entity_id=opp.id, action="updated", actor=actor,
                 changes=changes)
    uow.emit(OpportunityUpdated, actor=actor, changed=sorted(changes), **snapshot(opp))
    return opp


def move_stage(uow: UnitOfWork, actor: Identity, opportunity_id: str, data: dict[str, Any],
               now: datetime | None = None) -> Opportunity:
    session, now = uow.session, now or utcnow()
    opp = get(session, actor, opportunity_id)
    access.require_owner_or_manager(actor, opp.owner_id, opp.region, "move this opportunity")
    target = stage_of(session, data["stage"])
    if opp.status != "open":
        raise Conflict(f"Opportunity {opportunity_id} is closed ({opp.status}); it does not move any more.")
    if target["key"] == opp.stage:
        raise Conflict(f"Opportunity {opportunity_id} is already in stage '{opp.stage}'.")
    if target["kind"] == "lost" and not data.get("lost_reason"):
        raise ValidationFailed(errors={"lost_reason": ["Say why the opportunity was lost."]})
    if target["kind"] != "lost" and (data.get("lost_reason") or data.get("lost_to_competitor_id")):
        raise ValidationFailed(errors={"lost_reason": ["Only a move to a lost stage has a lost reason."]})
    competitor = str(data["lost_to_competitor_id"]) if data.get("lost_to_competitor_id") else None
    if competitor and session.get(Competitor, competitor) is None:
        raise ValidationFailed(errors={"lost_to_competitor_id": ["Unknown competitor."]})
    before = {k: getattr(opp, k) for k in AUDITED}
    seconds = int((now - opp.stage_entered_at).total_seconds())
    previous = opp.stage
    opp.stage, opp.probability, opp.stage_entered_at = target["key"], target["probability"], now
    opp.status = {"open": "open", "won": "won", "lost": "lost"}[target["kind"]]
    opp.closed_at = now if target["kind"] != "open" else None
    opp.lost_reason, opp.lost_to_competitor_id = data.get("lost_reason"), competitor
    opp.updated_at = now
    session.add(StageChange(opportunity_id=opp.id, from_stage=previous, to_stage=opp.stage, at=now,
                            actor_id=actor.user_id, seconds_in_previous=seconds, note=data.get("note")))
    session.flush()
    audit.record(session, AUDIT, entity="opportunity", entity_id=opp.id, action="stage_changed", actor=actor,
                 changes=audit.diff(before, {k: getattr(opp, k) for k in AUDITED}))
    uow.emit(OpportunityStageChanged, actor=actor, from_stage=previous, seconds_in_previous=seconds,
             lost_reason=opp.lost_reason, lost_to_competitor_id=competitor,
             competitor_ids=competitor_ids(session, opp.id), **snapshot(opp))
    return opp


def stage_history(session: Session, actor: Identity, opportunity_id: str) -> list[dict[str, Any]]:
    opp = get(session, actor, opportunity_id)
    rows = session.scalars(select(StageChange).where(StageChange.opportunity_id == opp.id)
                           .order_by(StageChange.at, StageChange.id)).all()
    return [jsonio.to_jsonable({"from_stage": r.from_stage, "to_stage": r.to_stage, "at": r.at,
                                "actor_id": r.actor_id, "seconds_in_previous": r.seconds_in_previous,
                                "note": r.note}) for r in rows]


def hand_over(uow: UnitOfWork, actor: Identity | None, target: directory.Owner | None, *, ids: list[str],
              from_owner_id: str | None) -> int:
    """Give open opportunities to ``target`` (None: unowned, for a manager of the region to assign)."""
    if not ids and not from_owner_id:
        return 0
    stmt = select(Opportunity).where(Opportunity.status == "open")
    stmt = stmt.where(Opportunity.id.in_(ids)) if ids else stmt.where(Opportunity.owner_id == from_owner_id)
    if actor is not None:
        stmt = access.visible(stmt, actor, Opportunity)
    moved = 0
    for opp in uow.session.scalars(stmt).all():
        if actor is not None and not access.may_manage(actor, opp.region):
            continue
        before = {"owner_id": opp.owner_id, "team": opp.team}
        opp.owner_id, opp.team = (target.user_id, target.team) if target else (None, None)
        if before == {"owner_id": opp.owner_id, "team": opp.team}:
            continue
        opp.updated_at = utcnow()
        uow.session.flush()
        audit.record(uow.session, AUDIT, entity="opportunity", entity_id=opp.id, action="transferred",
                     actor=actor, changes=audit.diff(before, {"owner_id": opp.owner_id, "team": opp.team}))
        uow.emit(OpportunityUpdated, actor=actor, changed=["owner_id", "team"], **snapshot(opp))
        moved += 1
    return moved


def page_out(session: Session, opps: list[Opportunity]) -> list[dict[str, Any]]:
    competitors = competitors_of(session, [opp.id for opp in opps])
    return [to_out(session, opp, competitors[opp.id]) for opp in opps]


def to_out(session: Session, opp: Opportunity, competitors: list[str] | None = None) -> dict[str, Any]:
    if competitors is None:
        competitors = competitor_ids(session, opp.id)
    money = None if opp.amount is None else {"amount": opp.amount, "currency": opp.currency}
    weighted = None if opp.amount is None else {
        "amount": (opp.amount * Decimal(opp.probability) / 100).quantize(Decimal("0.01")), "currency": opp.currency}
    return jsonio.to_jsonable({
        "id": opp.id, "name": opp.name, "account_id": opp.account_id, "lead_id": opp.lead_id,
        "contact_id": opp.contact_id, "owner_id": opp.owner_id, "team": opp.team, "region": opp.region,
        "stage": opp.stage, "status": opp.status, "probability": opp.probability, "amount": money,
        "weighted_amount": weighted, "expected_close": opp.expected_close, "lost_reason": opp.lost_reason,
        "lost_to_competitor_id": opp.lost_to_competitor_id, "competitor_ids": competitors,
        "mode": opp.mode, "origin": opp.origin, "destination": opp.destination, "notes": opp.notes,
        "stage_entered_at": opp.stage_entered_at, "closed_at": opp.closed_at, "created_at": opp.created_at,
        "updated_at": opp.updated_at, "version": opp.version,
    })
