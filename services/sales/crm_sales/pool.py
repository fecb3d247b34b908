"""The public pool (公海): claiming up to a limit, releasing, managers' bulk transfer, the automatic
return of neglected leads, and a departing rep's leads and opportunities.

Every change of owner is one conditional UPDATE (``WHERE status = 'pool'``, ``WHERE owner_id = :old``),
so two reps claiming one lead, or two sales instances sweeping at once, change each lead once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, NotFound, ValidationFailed
from crm_contracts.events.sales import LeadClaimed, LeadReleased, LeadReleaseWarned, LeadTransferred
from crm_contracts.identity import Identity
from sqlalchemy import false, select, update
from sqlalchemy.orm import Session

from . import access, directory, load, settings
from .leads import OWNED, SORTS, get, snapshot
from .listing import where_equal
from .models import AUDIT, Lead
from .opportunities import hand_over as hand_over_opportunities


def _move(session: Session, lead_id: str, guard: list[Any], **values: Any) -> Lead | None:
    """Apply ``values`` to the lead if ``guard`` still holds; the fresh row, or None if it did not."""
    values.setdefault("updated_at", utcnow())
    result = session.execute(update(Lead).where(Lead.id == lead_id, *guard)
                             .values(version=Lead.version + 1, **values)
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return None
    return session.get(Lead, lead_id, populate_existing=True)


def _record(uow: UnitOfWork, actor: Identity | None, lead: Lead, action: str, before: dict[str, Any]) -> None:
    after = {"status": lead.status, "owner_id": lead.owner_id, "team": lead.team}
    audit.record(uow.session, AUDIT, entity="lead", entity_id=lead.id, action=action, actor=actor,
                 changes=audit.diff(before, after))


def list_pool(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[Lead], str | None]:
    """Unowned leads the caller may claim: their region's for sales staff, any for admins."""
    stmt = access.visible_leads(select(Lead), actor, Lead).where(Lead.status == "pool")
    stmt = where_equal(stmt, Lead, query, ("grade", "source", "region"))
    if query.get("q"):
        stmt = stmt.where(Lead.company.ilike(f"%{query['q'].strip()}%"))
    return paginate(session, stmt, id_column=Lead.id, allowed_sorts=SORTS, default_sort=["-score"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def claim(uow: UnitOfWork, actor: Identity, lead_id: str, now: datetime | None = None) -> Lead:
    access.require(actor, access.SELLERS, "claim leads")
    session, now = uow.session, now or utcnow()
    lead = session.get(Lead, str(lead_id))
    # Whoever may claim from a region's pool learns that a lead there was taken (409), not "no such lead".
    if lead is None or not (access.may_manage(actor, lead.region) or lead.region == actor.region):
        raise NotFound(f"Lead {lead_id} was not found.")
    if lead.status != "pool":
        raise Conflict(f"Lead {lead_id} is no longer in the pool; someone claimed it first."
                       if lead.owner_id != actor.user_id else f"Lead {lead_id} is already yours.")
    policy = settings.section(session, "pool")
    cooldown = timedelta(days=policy["reclaim_cooldown_days"])
    if lead.previous_owner_id == actor.user_id and lead.released_at and now < lead.released_at + cooldown:
        raise Conflict(f"You released this lead; you may claim it again from "
                       f"{(lead.released_at + cooldown).isoformat()}.")
    if not load.take_one(session, actor.user_id, policy["claim_limit"]):
        raise Conflict(f"You hold {policy['claim_limit']} open leads, the claim limit; work or release some first.",
                       limit=policy["claim_limit"])
    owner = directory.Owner.acting(session, actor)
    claimed = _move(session, lead.id, [Lead.status == "pool"], status="assigned", owner_id=owner.user_id,
                    team=owner.team, assigned_at=now, last_activity_at=now, warned_at=None, updated_at=now)
    if claimed is None:
        raise Conflict(f"Lead {lead_id} was just claimed by someone else.")
    _record(uow, actor, claimed, "claimed", {"status": "pool", "owner_id": None, "team": None})
    uow.emit(LeadClaimed, actor=actor, **snapshot(claimed))
    return claimed


def _to_pool(uow: UnitOfWork, actor: Identity | None, lead: Lead, reason: str, note: str | None = None,
             guard: list[Any] | None = None, now: datetime | None = None) -> Lead | None:
    before = {"status": lead.status, "owner_id": lead.owner_id, "team": lead.team}
    released = _move(uow.session, lead.id, guard or [Lead.owner_id == lead.owner_id, Lead.status.in_(OWNED)],
                     status="pool", owner_id=None, team=None, previous_owner_id=lead.owner_id,
                     released_at=now or utcnow(), warned_at=None, updated_at=now or utcnow())
    if released is None:
        return None
    load.add(uow.session, before["owner_id"], -1)
    _record(uow, actor, released, f"released:{reason}", before)
    uow.emit(LeadReleased, actor=actor, previous_owner_id=before["owner_id"], reason=reason, note=note,
             **snapshot(released))
    return released


def release(uow: UnitOfWork, actor: Identity, lead_id: str, reason: str | None = None) -> Lead:
    lead = get(uow.session, actor, lead_id)
    if lead.status not in OWNED:
        raise Conflict(f"Only an owned lead can be released (this one is {lead.status}).")
    access.require_owner_or_manager(actor, lead.owner_id, lead.region, "release this lead")
    released = _to_pool(uow, actor, lead, "manual", note=reason)
    if released is None:
        raise Conflict(f"Lead {lead_id} changed hands meanwhile; reload it.")
    return released


def _give(uow: UnitOfWork, actor: Identity | None, lead: Lead, owner: directory.Owner, reason: str) -> bool:
    before = {"status": lead.status, "owner_id": lead.owner_id, "team": lead.team}
    moved = _move(uow.session, lead.id, [Lead.owner_id == lead.owner_id, Lead.status.in_((*OWNED, "pool"))],
                  status="assigned" if lead.status == "pool" else lead.status, owner_id=owner.user_id,
                  team=owner.team, assigned_at=utcnow(), last_activity_at=utcnow(), warned_at=None)
    if moved is None:
        return False
    load.add(uow.session, before["owner_id"], -1)
    load.add(uow.session, owner.user_id, 1)
    _record(uow, actor, moved, f"transferred:{reason}", before)
    uow.emit(LeadTransferred, actor=actor, previous_owner_id=before["owner_id"], reason=reason,
             **snapshot(moved))
    return True


def transfer(uow: UnitOfWork, actor: Identity, data: dict[str, Any]) -> dict[str, Any]:
    """A manager moves named leads/opportunities, or all of one owner's, to a rep or to the pool."""
    access.require(actor, access.MANAGERS, "transfer leads")
    session = uow.session
    target = None
    if data.get("to_owner_id"):
        user = directory.seller(session, str(data["to_owner_id"]))
        if user is None or not access.may_manage(actor, user.region):
            raise ValidationFailed(errors={"to_owner_id": ["Not an active sales user of your region."]})
        target = directory.Owner.of(user)
    stmt = access.visible_leads(select(Lead), actor, Lead).where(Lead.status.in_((*OWNED, "pool")))
    if data.get("lead_ids"):
        stmt = stmt.where(Lead.id.in_([str(i) for i in data["lead_ids"]]))
    elif data.get("from_owner_id"):
        stmt = stmt.where(Lead.owner_id == str(data["from_owner_id"]))
    else:
        stmt = stmt.where(false())
    moved = 0
    for lead in session.scalars(stmt).all():
        if not access.may_manage(actor, lead.region):
            continue
        if target is not None and lead.owner_id != target.user_id:
            moved += _give(uow, actor, lead, target, "transfer")
        elif target is None and lead.status != "pool":
            moved += _to_pool(uow, actor, lead, "transfer") is not None
    opps = hand_over_opportunities(uow, actor, target, ids=[str(i) for i in data.get("opportunity_ids") or []],
                                   from_owner_id=str(data["from_owner_id"]) if data.get("from_owner_id") else None)
    return {"leads": moved, "opportunities": opps, "to_owner_id": target.user_id if target else None}


def sweep(uow: UnitOfWork, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Warn owners M days ahead, then return leads without activity for N days to the pool."""
    session, now = uow.session, now or utcnow()
    policy = settings.section(session, "pool")
    release_cutoff = now - timedelta(days=policy["release_after_days"])
    warn_cutoff = release_cutoff + timedelta(days=policy["warn_days_before"])
    warned = 0
    for lead in session.scalars(select(Lead).where(
            Lead.status.in_(OWNED), Lead.warned_at.is_(None), Lead.last_activity_at < warn_cutoff,
            Lead.last_activity_at >= release_cutoff).limit(batch)).all():
        fresh = _move(session, lead.id, [Lead.warned_at.is_(None), Lead.last_activity_at == lead.last_activity_at],
                      warned_at=now, updated_at=now)
        if fresh is not None:
            warned += 1
            uow.emit(LeadReleaseWarned, actor=None, **snapshot(fresh),
                     release_at=fresh.last_activity_at + timedelta(days=policy["release_after_days"]))
    released = 0
    for lead in session.scalars(select(Lead).where(Lead.status.in_(OWNED), Lead.last_activity_at < release_cutoff)
                                .limit(batch)).all():
        guard = [Lead.owner_id == lead.owner_id, Lead.status.in_(OWNED), Lead.last_activity_at < release_cutoff]
        released += _to_pool(uow, None, lead, "inactivity", guard=guard, now=now) is not None
    return {"warned": warned, "released": released}


def on_user_deactivated(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, int]:
    """A departing rep's open leads go to their successor (or the pool), their open opportunities to
    the successor (or stay unowned for a manager of the region to hand out)."""
    session = uow.session
    user_id = str(event["user_id"])
    successor = directory.seller(session, event.get("successor_id"))
    target = directory.Owner.of(successor) if successor and successor.user_id != user_id else None
    leads = session.scalars(select(Lead).where(Lead.owner_id == user_id, Lead.status.in_(OWNED))).all()
    moved = 0
    for lead in leads:
        if target is not None and target.region == lead.region:
            moved += _give(uow, None, lead, target, "deactivation")
        else:
            moved += _to_pool(uow, None, lead, "deactivation") is not None
    opps = hand_over_opportunities(uow, None, target, ids=[], from_owner_id=user_id)
    return {"leads": moved, "opportunities": opps}
