"""The shipment projection: TMS events in any order, at least once, folded into one row per
reference plus its milestone timeline. The latest ``occurred_at`` decides the current status and ETA.

It is the service's hottest path (every TMS event), so besides the inbox claim an event is one
statement on PostgreSQL (the milestone insert in a CTE of the shipment upsert) and two on SQLite."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from crm_contracts import jsonio
from crm_contracts.access import scope_clause
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import NotFound
from crm_contracts.identity import Identity
from sqlalchemy import and_, bindparam, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import AccountView, Milestone, Shipment

SORTS = {"updated_at": Shipment.updated_at, "status_at": Shipment.status_at, "reference": Shipment.reference}


BASE = ("reference", "customer_code", "open_exceptions", "updated_at")
# The milestone's binds are prefixed: a shipments column name is reserved for the upsert's own VALUES.
MILESTONE_FIELDS = ("event_id", "kind", "occurred_at", "status", "location", "description")


@functools.lru_cache(maxsize=32)
def _statement(dialect: str, fields: tuple[str, ...], always: tuple[str, ...]) -> Any:
    """The upsert for one shape of event, built once (values are bound per event, so SQLAlchemy's
    compiled-statement cache serves every later call). On PostgreSQL it also inserts the milestone,
    in a CTE: the event is one statement, one round trip."""
    table = Shipment.__table__
    account_id = (select(AccountView.account_id).where(AccountView.customer_code == bindparam("customer_code"))
                  .limit(1).scalar_subquery())
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(account_id=account_id, **{name: bindparam(name) for name in BASE + fields})
    new, old = stmt.excluded, table.c
    changes: dict[str, Any] = {"updated_at": new.updated_at,
                               "account_id": func.coalesce(old.account_id, new.account_id)}
    if "status" in fields:
        newer = or_(old.status_at.is_(None), new.status_at >= old.status_at)
        changes["status"] = case((newer, new.status), else_=old.status)
        changes["status_at"] = case((newer, new.status_at), else_=old.status_at)
        changes["last_location"] = case((and_(newer, new.last_location.isnot(None)), new.last_location),
                                        else_=old.last_location)
    if "eta" in fields:
        newer_eta = or_(old.eta_at.is_(None), new.eta_at >= old.eta_at)
        changes["eta"] = case((newer_eta, new.eta), else_=old.eta)
        changes["eta_at"] = case((newer_eta, new.eta_at), else_=old.eta_at)
    changes.update({name: new[name] for name in always})
    stmt = stmt.on_conflict_do_update(index_elements=["reference"], set_=changes)
    return stmt.add_cte(_milestone_statement().cte("milestone")) if dialect == "postgresql" else stmt


@functools.cache
def _milestone_statement() -> Any:
    columns = Milestone.__table__.c
    return Milestone.__table__.insert().values(
        {columns.id: bindparam("m_id"), columns.reference: bindparam("reference"),
         **{columns[name]: bindparam(f"m_{name}") for name in MILESTONE_FIELDS}})


def _fold(session: Session, event: dict[str, Any], row: dict[str, Any], milestone: dict[str, Any], *,
          always: tuple[str, ...] = ()) -> None:
    """Record the event as a milestone and fold it into its shipment with an upsert: the row lock it
    takes makes concurrent events for one shipment apply one after the other, and the CASEs keep the
    newest status and ETA whatever the order of arrival."""
    if event.get("eta"):
        row = {**row, "eta": event["eta"], "eta_at": event["occurred_at"]}
    dialect = session.get_bind().dialect.name
    params = {"reference": event["reference"], "customer_code": event["customer_code"],
              "open_exceptions": 0, "updated_at": utcnow(), **row, "m_id": str(uuid.uuid4()),
              "m_event_id": str(event["event_id"]), "m_occurred_at": event["occurred_at"], "m_location": None,
              "m_description": None, **{f"m_{key}": value for key, value in milestone.items()}}
    connection = session.connection()
    if dialect != "postgresql":
        connection.execute(_milestone_statement(), params)
    connection.execute(_statement(dialect, tuple(row), always), params)


def booked(session: Session, event: dict[str, Any]) -> None:
    _fold(session, event, {"mode": event["mode"], "origin": event["origin"], "destination": event["destination"],
                           "booked_at": event["occurred_at"], "status": "booked", "status_at": event["occurred_at"],
                           "last_location": event["origin"]},
          {"kind": "booked", "status": "booked", "location": event["origin"],
           "description": f"Booked {event['mode']} {event['origin']} → {event['destination']}"},
          always=("mode", "origin", "destination", "booked_at"))


def status_changed(session: Session, event: dict[str, Any]) -> None:
    _fold(session, event, {"status": event["status"], "status_at": event["occurred_at"],
                           "last_location": event.get("location")},
          {"kind": "status", "status": event["status"], "location": event.get("location"),
           "description": event.get("description")})


def exception(session: Session, event: dict[str, Any]) -> Shipment:
    """Fold the exception in and return its shipment, now locked: the lock serialises the exceptions of
    one shipment, so the check for an open ticket of the same kind (proactive) cannot race."""
    _fold(session, event, {}, {"kind": "exception", "status": event["exception_type"],
                               "location": event.get("location"), "description": event["description"]})
    return session.get(Shipment, event["reference"], populate_existing=True)


def count_open_exception(session: Session, reference: str | None, delta: int) -> None:
    """``open_exceptions`` counts the shipment's open exception tickets: +1 when one opens or reopens,
    -1 when it is resolved."""
    if reference:
        session.execute(update(Shipment).where(Shipment.reference == reference)
                        .values(open_exceptions=Shipment.open_exceptions + delta))


def link_account(session: Session, account: AccountView) -> int:
    """Shipments that arrived before their account was known are linked when it appears."""
    return session.execute(
        update(Shipment).where(Shipment.customer_code == account.customer_code, Shipment.account_id.is_(None))
        .values(account_id=account.account_id)).rowcount


def _visible(stmt: Any, actor: Identity) -> Any:
    clause = scope_clause(actor, account_id=AccountView.account_id, owner_id=AccountView.owner_id,
                          team=AccountView.team, region=AccountView.region)
    if clause is None:
        return stmt
    return stmt.join(AccountView, AccountView.account_id == Shipment.account_id).where(clause)


def get(session: Session, actor: Identity, reference: str) -> dict[str, Any]:
    shipment = session.scalar(_visible(select(Shipment).where(Shipment.reference == reference), actor))
    if shipment is None:
        raise NotFound(f"Shipment {reference} was not found.")
    milestones = session.scalars(select(Milestone).where(Milestone.reference == reference)
                                 .order_by(Milestone.occurred_at, Milestone.id)).all()
    return {**to_out(shipment), "milestones": [milestone_out(m) for m in milestones]}


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[Shipment], str | None]:
    stmt = _visible(select(Shipment), actor)
    for name in ("account_id", "status", "customer_code"):
        if query.get(name):
            stmt = stmt.where(getattr(Shipment, name) == query[name])
    if query.get("q"):
        stmt = stmt.where(Shipment.reference.ilike(f"%{query['q']}%"))
    return paginate(session, stmt, id_column=Shipment.reference, allowed_sorts=SORTS,
                    default_sort=["-updated_at"], sort=query.get("sort"), cursor=query.get("cursor"),
                    limit=query.get("limit", 50))


def to_out(shipment: Shipment) -> dict[str, Any]:
    return jsonio.to_jsonable({k: getattr(shipment, k) for k in (
        "reference", "customer_code", "account_id", "mode", "origin", "destination", "status", "status_at",
        "eta", "last_location", "open_exceptions")})


def milestone_out(m: Milestone) -> dict[str, Any]:
    return jsonio.to_jsonable({"event_id": m.event_id, "kind": m.kind, "status": m.status, "location": m.location,
                               "description": m.description, "occurred_at": m.occurred_at})
