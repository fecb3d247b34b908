"""Activities (客户联络 / 行动管理): calls, visits, meetings, e-mails, memos (personal or company) and
tasks — planned when a manager dispatches them, spontaneous when reps set their own — with due and
done times, feedback, and reminders. Working a lead this way restarts its pool clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from crm_contracts import jsonio
from crm_contracts.access import scope_clause
from crm_contracts.chassis import account_view, audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from crm_contracts.events.sales import (
    ActivityCompleted,
    ActivityCreated,
    ActivityDue,
    ActivityOverdue,
    ActivityUpdated,
    LeadUpdated,
)
from crm_contracts.identity import Identity
from sqlalchemy import and_, or_, select, true, update
from sqlalchemy.orm import Session

from . import access, directory
from . import leads as leads_
from . import opportunities as opportunities_
from .listing import where_equal
from .models import AUDIT, Activity, Lead

CONTACT_KINDS = ("call", "visit", "meeting", "email")
FIELDS = ("kind", "subject", "body", "lead_id", "opportunity_id", "account_id", "contact_id", "occurred_at",
          "due_at", "memo_scope", "direction", "phone", "duration_minutes")
AUDITED = (*FIELDS, "owner_id", "status", "done_at", "feedback")
SORTS = {"created_at": Activity.created_at, "due_at": Activity.due_at, "occurred_at": Activity.occurred_at}
FILTERS = ("kind", "status", "origin", "owner_id", "lead_id", "opportunity_id", "account_id", "contact_id")


def visible(stmt: Any, actor: Identity) -> Any:
    """Records by owner/team/region; company memos for all staff; personal memos for their author only."""
    access.require_staff(actor)
    scope = scope_clause(actor, account_id=Activity.account_id, owner_id=Activity.owner_id, team=Activity.team,
                         region=Activity.region)
    scope = true() if scope is None else scope
    return stmt.where(or_(and_(Activity.kind != "memo", scope),
                          and_(Activity.kind == "memo", Activity.memo_scope == "company"),
                          and_(Activity.kind == "memo", Activity.owner_id == actor.user_id)))


def snapshot(a: Activity) -> dict[str, Any]:
    return {"activity_id": a.id, "kind": a.kind, "subject": a.subject, "owner_id": a.owner_id,
            "assigned_by": a.assigned_by, "origin": a.origin, "status": a.status, "lead_id": a.lead_id,
            "opportunity_id": a.opportunity_id, "account_id": a.account_id, "region": a.region,
            "due_at": a.due_at, "done_at": a.done_at}


def _links(session: Session, actor: Identity, data: dict[str, Any]) -> str | None:
    """Check every linked record is visible to the actor; the region the activity belongs to."""
    region = None
    if data.get("lead_id"):
        region = leads_.get(session, actor, data["lead_id"]).region
    if data.get("opportunity_id"):
        opp = opportunities_.get(session, actor, data["opportunity_id"])
        region, data["account_id"] = opp.region, data.get("account_id") or opp.account_id
    if data.get("account_id"):
        account = directory.customer_account(session, data["account_id"])
        if account is None or not account_view.visible_to(actor, account):
            raise NotFound(f"Account {data['account_id']} was not found.")
        region, data["account_id"] = region or account.region, account.account_id
    return region


def _assignee(session: Session, actor: Identity, data: dict[str, Any]) -> tuple[directory.Owner, str | None]:
    """(owner, assigned_by): a task a manager dispatches to someone else is 'planned'."""
    target = str(data["assignee_id"]) if data.get("assignee_id") else actor.user_id
    if target == actor.user_id:
        return directory.Owner.acting(session, actor), None
    user = directory.seller(session, target)
    if user is None or not access.may_manage(actor, user.region):
        raise Forbidden("Only a manager of the rep's region dispatches tasks to them.")
    return directory.Owner.of(user), actor.user_id


def touch_lead(uow: UnitOfWork, lead_id: str | None, at: datetime) -> None:
    """Contact with the prospect: the lead is being worked, and its pool clock restarts."""
    if not lead_id:
        return
    session = uow.session
    # Set-based, so a concurrent claim or sweep cannot be overwritten with stale values.
    session.execute(update(Lead).where(Lead.id == lead_id, Lead.last_activity_at < at)
                    .values(last_activity_at=at, warned_at=None))
    working = session.execute(update(Lead).where(Lead.id == lead_id, Lead.status == "assigned")
                              .values(status="working", version=Lead.version + 1)).rowcount
    if working:
        lead = session.get(Lead, lead_id, populate_existing=True)
        uow.emit(LeadUpdated, actor=None, changed=["status"], **leads_.snapshot(lead))


def create(uow: UnitOfWork, actor: Identity, data: dict[str, Any]) -> Activity:
    access.require(actor, (*access.SELLERS, "marketing", "service_agent", "service_manager"), "log activities")
    session, now = uow.session, utcnow()
    data = {k: (str(v) if k.endswith("_id") and v else v) for k, v in data.items()}
    region = _links(session, actor, data)
    owner, assigned_by = _assignee(session, actor, data)
    due = data.get("due_at")
    data["memo_scope"] = data.get("memo_scope") or ("personal" if data["kind"] == "memo" else None)
    activity = Activity(**{k: data.get(k) for k in FIELDS}, owner_id=owner.user_id, team=owner.team,
                        region=region or owner.region, assigned_by=assigned_by,
                        origin="planned" if assigned_by else "spontaneous",
                        status="open" if due else "done", done_at=None if due else (data.get("occurred_at") or now),
                        remind_at=due - timedelta(minutes=data["remind_before_minutes"]) if due else None,
                        created_by=actor.user_id, created_at=now, updated_at=now)
    session.add(activity)
    session.flush()
    if activity.kind in CONTACT_KINDS and activity.status == "done":
        touch_lead(uow, activity.lead_id, activity.done_at or now)
    audit.record(session, AUDIT, entity="activity", entity_id=activity.id, action="created", actor=actor,
                 changes=audit.diff({}, {k: getattr(activity, k) for k in AUDITED}))
    uow.emit(ActivityCreated, actor=actor, **snapshot(activity))
    return activity


def get(session: Session, actor: Identity, activity_id: str) -> Activity:
    activity = session.scalar(visible(select(Activity).where(Activity.id == str(activity_id)), actor))
    if activity is None:
        raise NotFound(f"Activity {activity_id} was not found.")
    return activity


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[Activity], str | None]:
    stmt = visible(select(Activity), actor)
    stmt = where_equal(stmt, Activity, query, FILTERS)
    if query.get("due_before"):
        stmt = stmt.where(Activity.due_at < query["due_before"])
    if query.get("due_after"):
        stmt = stmt.where(Activity.due_at >= query["due_after"])
    if query.get("q"):
        stmt = stmt.where(Activity.subject.ilike(f"%{query['q'].strip()}%"))
    return paginate(session, stmt, id_column=Activity.id, allowed_sorts=SORTS, default_sort=["-created_at"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def update_(uow: UnitOfWork, actor: Identity, activity_id: str, data: dict[str, Any],
            expected_version: int | None = None) -> Activity:
    session, now = uow.session, utcnow()
    activity = get(session, actor, activity_id)
    if actor.user_id not in (activity.owner_id, activity.assigned_by) and not access.may_manage(actor, activity.region):
        raise Forbidden("Only the assignee, whoever dispatched it, or a manager of the region may change this.")
    access.check_version("Activity", activity_id, activity.version, expected_version)
    if activity.status != "open" and set(data) - {"feedback", "body"}:
        raise Conflict(f"This {activity.kind} is {activity.status}; only its feedback and notes change now.")
    before = {k: getattr(activity, k) for k in AUDITED}
    if "due_at" in data and data["due_at"] != activity.due_at:
        lead_time = (activity.due_at - activity.remind_at) if activity.due_at and activity.remind_at else timedelta(0)
        activity.due_at = data.pop("due_at")
        activity.remind_at = activity.due_at - lead_time if activity.due_at else None
        activity.reminded_at = activity.overdue_notified_at = None
    completing = data.get("status") == "done"
    if completing:
        data["done_at"] = data.get("done_at") or now
    elif data.get("done_at"):
        raise ValidationFailed(errors={"done_at": ["Set status to done to record when it was done."]})
    for key, value in data.items():
        setattr(activity, key, value)
    changes = audit.diff(before, {k: getattr(activity, k) for k in AUDITED})
    if not changes:
        return activity
    activity.updated_at = now
    session.flush()
    audit.record(session, AUDIT, entity="activity", entity_id=activity.id, action="updated", actor=actor,
                 changes=changes)
    if completing:
        touch_lead(uow, activity.lead_id, activity.done_at)
        uow.emit(ActivityCompleted, actor=actor, feedback=activity.feedback, **snapshot(activity))
    else:
        uow.emit(ActivityUpdated, actor=actor, changed=sorted(changes), **snapshot(activity))
    return activity


def _claim(session: Session, activity_id: str, column: str) -> bool:
    result = session.execute(update(Activity).where(Activity.id == activity_id, getattr(Activity, column).is_(None),
                                                    Activity.status == "open")
                             .values({column: utcnow()}).execution_options(synchronize_session=False))
    return result.rowcount == 1


def remind(uow: UnitOfWork, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """``activity.due`` at the reminder time, ``activity.overdue`` once the due time has passed; each once."""
    session, now = uow.session, now or utcnow()
    sent = {"due": 0, "overdue": 0}
    for a in session.scalars(select(Activity).where(Activity.status == "open", Activity.reminded_at.is_(None),
                                                    Activity.remind_at <= now).limit(batch)).all():
        if _claim(session, a.id, "reminded_at"):
            uow.emit(ActivityDue, **snapshot(a))
            sent["due"] += 1
    for a in session.scalars(select(Activity).where(Activity.status == "open", Activity.overdue_notified_at.is_(None),
                                                    Activity.due_at < now).limit(batch)).all():
        if _claim(session, a.id, "overdue_notified_at"):
            uow.emit(ActivityOverdue, **snapshot(a))
            sent["overdue"] += 1
    return sent


def recent(session: Session, actor: Identity, *, lead_id: str | None = None, account_id: str | None = None,
           limit: int = 5) -> list[dict[str, Any]]:
    stmt = visible(select(Activity), actor)
    stmt = stmt.where(Activity.lead_id == lead_id) if lead_id else stmt.where(Activity.account_id == account_id)
    return [to_out(a) for a in session.scalars(stmt.order_by(Activity.created_at.desc()).limit(limit))]


def to_out(a: Activity) -> dict[str, Any]:
    return jsonio.to_jsonable({"id": a.id, **{k: getattr(a, k) for k in FIELDS}, "owner_id": a.owner_id,
                               "assigned_by": a.assigned_by, "origin": a.origin, "status": a.status,
                               "done_at": a.done_at, "feedback": a.feedback, "region": a.region, "team": a.team,
                               "created_by": a.created_by, "created_at": a.created_at, "updated_at": a.updated_at,
                               "version": a.version})
