"""Leads: create (graded, deduplicated, assigned), read, list, update — audited and published."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from crm_contracts import jsonio, normalize
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, NotFound, ValidationFailed
from crm_contracts.events.sales import LeadAssigned, LeadCreated, LeadUpdated
from crm_contracts.identity import Identity
from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from . import access, dedupe, directory, load, settings
from .assignment import Assigner
from .grading import compile_grading
from .listing import where_equal
from .models import AUDIT, LEAD_TEXT_FIELDS, Lead, LeadImport

OWNED = ("assigned", "working", "qualified", "disqualified")
SORTS = {"created_at": Lead.created_at, "updated_at": Lead.updated_at, "company": Lead.company,
         "grade": Lead.grade, "score": Lead.score, "last_activity_at": Lead.last_activity_at,
         "status": Lead.status}
FILTERS = ("status", "grade", "source", "owner_id", "team", "region", "import_id")
AUDITED = (*LEAD_TEXT_FIELDS, "grade", "score", "status", "owner_id", "team")


def keys_of(lead: Lead | dict[str, Any]) -> dedupe.Keys:
    get = lead.get if isinstance(lead, dict) else lambda k: getattr(lead, k)
    return dedupe.Keys(name=normalize.company_name(get("company")), phone=get("phone"), fax=get("fax"),
                       email=get("email"))


def snapshot(lead: Lead) -> dict[str, Any]:
    return {"lead_id": lead.id, "company": lead.company, "source": lead.source, "grade": lead.grade,
            "status": lead.status, "owner_id": lead.owner_id, "team": lead.team, "region": lead.region,
            "created_at": lead.created_at, "version": lead.version}


def _duplicates(session: Session, lead: dict[str, Any]) -> list[dict[str, Any]]:
    [matches] = dedupe.find(session, [keys_of(lead)])
    return [{**m.describe(), "matched_on": m.matched_on} for m in matches]


def _initial_owner(session: Session, actor: Identity, data: dict[str, Any],
                   grade: str) -> tuple[directory.Owner | None, str | None]:
    """(owner, rule): a manager's explicit choice, a rep's own lead, else the assignment rules."""
    pool = settings.section(session, "pool")
    if data.get("owner_id"):
        access.require(actor, access.MANAGERS, "assign leads to someone")
        owner = directory.seller(session, str(data["owner_id"]))
        if owner is None:
            raise ValidationFailed(errors={"owner_id": ["Not an active sales user."]})
        if not access.may_manage(actor, data["region"]) or owner.region != data["region"]:
            raise ValidationFailed(errors={"owner_id": ["Assign within your region to a rep of the lead's region."]})
        return directory.Owner.of(owner), None
    if actor.role == "sales_rep":
        return directory.Owner.acting(session, actor), None
    assigner = Assigner(session, settings.section(session, "assignment")["rules"], pool["claim_limit"])
    placed = assigner.place({**data, "grade": grade})
    if placed is None:
        return None, None
    assigner.save_cursors()
    return directory.Owner.of(placed.owner), placed.rule


def create(uow: UnitOfWork, actor: Identity, data: dict[str, Any], allow_duplicate: bool = False) -> Lead:
    access.require(actor, access.LEAD_CREATORS, "create leads")
    session = uow.session
    data = dict(data)
    data["region"] = data.get("region") or actor.region
    if actor.role in ("sales_rep", "sales_manager") and data["region"] != actor.region:
        raise ValidationFailed(errors={"region": ["Create leads in your own region."]})
    if not allow_duplicate:
        found = _duplicates(session, data)
        if found:
            raise Conflict("This lead looks like one we already have; check the candidates or create with "
                           "allow_duplicate=true.", duplicates=found)
    grade, score = compile_grading(settings.section(session, "grading"))(data)
    owner, rule = _initial_owner(session, actor, data, grade)
    now = utcnow()
    lead = Lead(**{k: data.get(k) for k in LEAD_TEXT_FIELDS}, name_key=normalize.company_name(data["company"]),
                grade=grade, score=score, status="assigned" if owner else "pool",
                owner_id=owner.user_id if owner else None, team=owner.team if owner else None,
                assigned_at=now if owner else None, last_activity_at=now, created_by=actor.user_id,
                created_at=now, updated_at=now)
    if owner and not lead.region:
        lead.region = owner.region
    session.add(lead)
    session.flush()
    if owner:
        load.add(session, owner.user_id, 1)
    audit.record(session, AUDIT, entity="lead", entity_id=lead.id, action="created", actor=actor,
                 changes=audit.diff({}, {k: getattr(lead, k) for k in AUDITED}))
    uow.emit(LeadCreated, actor=actor, **snapshot(lead))
    if owner and owner.user_id != actor.user_id:
        uow.emit(LeadAssigned, actor=actor, rule=rule, **snapshot(lead))
    return lead


def get(session: Session, actor: Identity, lead_id: str, for_update: bool = False) -> Lead:
    stmt = access.visible_leads(select(Lead).where(Lead.id == str(lead_id)), actor, Lead)
    lead = session.scalar(stmt.with_for_update() if for_update else stmt)
    if lead is None:
        raise NotFound(f"Lead {lead_id} was not found.")
    return lead


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[Lead], str | None]:
    stmt = access.visible_leads(select(Lead), actor, Lead)
    stmt = where_equal(stmt, Lead, query, FILTERS)
    if query.get("q"):
        text = query["q"].strip()
        key = normalize.company_name(text)
        phone = normalize.phone(text)
        stmt = stmt.where(or_(Lead.company.ilike(f"%{text}%"), Lead.name_key.like(f"%{key}%") if key else false(),
                              Lead.email == normalize.email(text), Lead.phone == phone if phone else false()))
    return paginate(session, stmt, id_column=Lead.id, allowed_sorts=SORTS, default_sort=["-created_at"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def update(uow: UnitOfWork, actor: Identity, lead_id: str, data: dict[str, Any],
           expected_version: int | None = None) -> Lead:
    session = uow.session
    lead = get(session, actor, lead_id)
    access.require_owner_or_manager(actor, lead.owner_id, lead.region, "change this lead")
    access.check_version("Lead", lead_id, lead.version, expected_version)
    if lead.status in ("converting", "converted", "pool") and "status" in data:
        raise Conflict(f"A {lead.status} lead's status changes only by claiming or converting.")
    before = {k: getattr(lead, k) for k in AUDITED}
    for key, value in data.items():
        setattr(lead, key, value)
    lead.name_key = normalize.company_name(lead.company)
    lead.grade, lead.score = compile_grading(settings.section(session, "grading"))(
        {k: getattr(lead, k) for k in LEAD_TEXT_FIELDS})
    changes = audit.diff(before, {k: getattr(lead, k) for k in AUDITED})
    if not changes:
        return lead
    lead.updated_at = utcnow()
    session.flush()
    audit.record(session, AUDIT, entity="lead", entity_id=lead.id, action="updated", actor=actor, changes=changes)
    uow.emit(LeadUpdated, actor=actor, changed=sorted(changes), **snapshot(lead))
    return lead


def history(session: Session, actor: Identity, lead_id: str) -> list[dict[str, Any]]:
    lead = get(session, actor, lead_id)
    entries = [{"entity": "lead", "entity_id": lead.id, **entry}
               for entry in audit.history(session, AUDIT, entity="lead", entity_id=lead.id)]
    if lead.import_id:  # created in bulk: the import job and its row report are the record
        job = session.get(LeadImport, lead.import_id)
        entries.append({"entity": "lead", "entity_id": lead.id, "action": "imported", "actor_id": lead.created_by,
                        "actor_name": (job.actor or {}).get("username") if job else None,
                        "at": jsonio.to_jsonable(lead.created_at),
                        "changes": {"import": {"old": None, "new": f"{lead.import_id}#{lead.import_row}"},
                                    **{k: {"old": None, "new": getattr(lead, k)} for k in LEAD_TEXT_FIELDS
                                       if getattr(lead, k) is not None}}})
    return entries


def release_due_at(lead: Lead, release_after_days: int) -> Any:
    if lead.status not in OWNED:
        return None
    return lead.last_activity_at + timedelta(days=release_after_days)


def to_out(lead: Lead, release_after_days: int | None = None) -> dict[str, Any]:
    due = release_due_at(lead, release_after_days) if release_after_days else None
    return jsonio.to_jsonable({
        "id": lead.id, **{k: getattr(lead, k) for k in LEAD_TEXT_FIELDS}, "grade": lead.grade,
        "score": lead.score, "status": lead.status, "owner_id": lead.owner_id, "team": lead.team,
        "assigned_at": lead.assigned_at, "last_activity_at": lead.last_activity_at, "release_due_at": due,
        "previous_owner_id": lead.previous_owner_id, "released_at": lead.released_at,
        "account_id": lead.account_id, "contact_id": lead.contact_id, "opportunity_id": lead.opportunity_id,
        "converted_at": lead.converted_at, "import_id": lead.import_id, "created_by": lead.created_by,
        "created_at": lead.created_at, "updated_at": lead.updated_at, "version": lead.version,
    })
