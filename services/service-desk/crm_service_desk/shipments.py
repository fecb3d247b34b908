"""The shipment projection: TMS events in any order, at least once, folded into one row per
reference plus its milestone timeline. The latest ``occurred_at`` decides the current status and ETA.

It is the service's hottest path (every TMS event), so an event is one statement on PostgreSQL (inbox
claim and milestone insert in CTEs of the shipment upsert) and three on SQLite."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from crm_contracts import jsonio
from crm_contracts.access import scope_clause
from crm_contracts.chassis import account_view
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.outbox import claim
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import NotFound
from crm_contracts.identity import Identity
from sqlalchemy import Row, and_, bindparam, case, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .models import TABLES, AccountView, Milestone, Shipment

SORTS = {"updated_at": Shipment.updated_at, "status_at": Shipment.status_at, "reference": Shipment.reference}


BASE = ("reference", "customer_code", "open_exceptions", "updated_at")
# The milestone's binds are prefixed: a shipments column name is reserved for the upsert's own VALUES.
MILESTONE_FIELDS = ("event_id", "kind", "occurred_at", "status", "location", "description")


@functools.lru_cache(maxsize=32)
def _statement(dialect: str, fields: tuple[str, ...], always: tuple[str, ...]) -> Any:
    """The upsert for one shape of event, built once (values are bound per event, so SQLAlchemy's
    compiled-statement cache serves every later call). It answers the shipment's row as it now stands.

    On PostgreSQL the event is one statement, one round trip: CTEs claim the event id in the inbox and
    insert the milestone, and the upsert runs only if the claim did (a redelivery answers no row)."""
    table = Shipment.__table__
    # A merged account's code stands for its survivor: TMS systems keep sending old codes.
    account_id = (select(func.coalesce(AccountView.merged_into, AccountView.account_id))
                  .where(AccountView.customer_code == bindparam("customer_code")).limit(1).scalar_subquery())
    names = BASE + fields
    if dialect == "postgresql":
        claimed = _claim_statement().cte("claimed")
        source = select(account_id, *(bindparam(name, type_=table.c[name].type) for name in names))
        stmt = postgresql.insert(table).from_select(["account_id", *names], source.where(_exists(claimed)))
    else:
        stmt = sqlite.insert(table).values(account_id=account_id, **{name: bindparam(name) for name in names})
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
    stmt = stmt.on_conflict_do_update(index_elements=["reference"], set_=changes).returning(*RETURNED)
    if dialect != "postgresql":
        return stmt
    return stmt.add_cte(claimed).add_cte(_milestone_statement(claimed).cte("milestone"))


RETURNED = tuple(Shipment.__table__.c[name] for name in (
    "reference", "account_id", "last_location", "eta", "open_exceptions"))


def _exists(claimed: Any) -> Any:
    return exists(select(claimed.c.event_id))


@functools.cache
def _claim_statement() -> Any:
    inbox = TABLES.inbox
    return (postgresql.insert(inbox).values(event_id=bindparam("m_event_id"), handler=bindparam("i_handler"),
                                            processed_at=bindparam("i_at", type_=inbox.c.processed_at.type))
            .on_conflict_do_nothing().returning(inbox.c.event_id))


def _milestone_statement(claimed: Any = None) -> Any:
    """The milestone insert; given the claim's CTE, only if the claim succeeded."""
    table = Milestone.__table__
    binds = {"id": bindparam("m_id"), "reference": bindparam("reference"),
             **{name: bindparam(f"m_{name}", type_=table.c[name].type) for name in MILESTONE_FIELDS}}
    if claimed is None:
        return table.insert().values({table.c[name]: value for name, value in binds.items()})
    return table.insert().from_select(list(binds), select(*binds.values()).where(_exists(claimed)))


def _fold(connection: Connection, event: dict[str, Any], handler: str, row: dict[str, Any],
          milestone: dict[str, Any], *, always: tuple[str, ...] = ()) -> Row | None:
    """Claim the event for ``handler``, record it as a milestone and fold it into its shipment with an
    upsert: the row lock it takes makes concurrent events for one shipment apply one after the other, and
    the CASEs keep the newest status and ETA whatever the order of arrival. Returns the shipment's row
    (locked until commit), or None when the event was applied before."""
    if event.get("eta"):
        row = {**row, "eta": event["eta"], "eta_at": event["occurred_at"]}
    dialect = connection.dialect.name
    now = utcnow()
    params = {"reference": event["reference"], "customer_code": event["customer_code"],
              "open_exceptions": 0, "updated_at": now, **row, "m_id": str(uuid.uuid4()),
              "m_event_id": str(event["event_id"]), "m_occurred_at": event["occurred_at"], "m_location": None,
              "m_description": None, **{f"m_{key}": value for key, value in milestone.items()},
              "i_handler": handler, "i_at": now}
    if dialect != "postgresql":
        if not claim(connection, TABLES, str(event["event_id"]), handler):
            return None
        connection.execute(_milestone_statement(), params)
    return connection.execute(_statement(dialect, tuple(row), always), params).first()


def booked(connection: Connection, event: dict[str, Any], handler: str) -> Row | None:
    return _fold(connection, event, handler, {
        "mode": event["mode"], "origin": event["origin"], "destination": event["destination"],
        "booked_at": event["occurred_at"], "status": "booked", "status_at": event["occurred_at"],
        "last_location": event["origin"]},
        {"kind": "booked", "status": "booked", "location": event["origin"],
         "description": f"Booked {event['mode']} {event['origin']} → {event['destination']}"},
        always=("mode", "origin", "destination", "booked_at"))


def status_changed(connection: Connection, event: dict[str, Any], handler: str) -> Row | None:
    return _fold(connection, event, handler, {"status": event["status"], "status_at": event["occurred_at"],
                                       "last_location": event.get("location")},
                 {"kind": "status", "status": event["status"], "location": event.get("location"),
                  "description": event.get("description")})


def exception(uow: UnitOfWork, event: dict[str, Any], handler: str) -> Row | None:
    """Fold the exception in; its shipment's row stays locked until commit, which serialises the
    exceptions of one shipment, so the check for an open ticket of the same kind cannot race."""
    return _fold(uow.session.connection(), event, handler, {}, {"kind": "exception", "status": event["exception_type"],
                                           "location": event.get("location"), "description": event["description"]})


def count_open_exception(session: Session, reference: str | None, delta: int) -> None:
    """``open_exceptions`` counts the shipment's open exception tickets: +1 when one opens or reopens,
    -1 when it is resolved."""
    if reference:
        table = Shipment.__table__  # a Core UPDATE: no ORM session to synchronise, on the exception hot path
        session.connection().execute(update(table).where(table.c.reference == reference)
                                     .values(open_exceptions=table.c.open_exceptions + delta))


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
    if query.get("account_id"):
        query = {**query, "account_id": account_view.resolve(session, AccountView, query["account_id"])}
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
