"""The shipment projection: TMS events in any order, at least once, folded into one row per
reference plus its milestone timeline. The latest ``occurred_at`` decides the current status."""

from __future__ import annotations

from typing import Any

from crm_contracts import jsonio
from crm_contracts.access import scope_clause
from crm_contracts.chassis import account_view
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import NotFound
from crm_contracts.identity import Identity
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import AccountView, Milestone, Shipment

CLOSED = ("delivered", "cancelled")
SORTS = {"updated_at": Shipment.updated_at, "status_at": Shipment.status_at, "reference": Shipment.reference}


def _shipment(session: Session, event: dict[str, Any]) -> Shipment:
    """The event's shipment, created if new and locked, so concurrent events for it apply one by one."""
    reference = event["reference"]
    account_id = (select(AccountView.account_id).where(AccountView.customer_code == event["customer_code"])
                  .limit(1).scalar_subquery())
    values = {"reference": reference, "customer_code": event["customer_code"], "account_id": account_id,
              "open_exceptions": 0, "updated_at": utcnow()}
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(Shipment).values(**values).on_conflict_do_nothing(index_elements=["reference"]))
    shipment = session.scalar(select(Shipment).where(Shipment.reference == reference).with_for_update()
                              .execution_options(populate_existing=True))
    shipment.updated_at = utcnow()
    return shipment


def _advance(shipment: Shipment, event: dict[str, Any], status: str) -> None:
    """Move the current status only for an event newer than the one that set it."""
    if shipment.status_at is None or event["occurred_at"] >= shipment.status_at:
        shipment.status, shipment.status_at = status, event["occurred_at"]
        if event.get("location"):
            shipment.last_location = event["location"]
        if event.get("eta"):
            shipment.eta = event["eta"]


def _milestone(session: Session, event: dict[str, Any], kind: str, **fields: Any) -> None:
    session.add(Milestone(event_id=str(event["event_id"]), reference=event["reference"], kind=kind,
                          occurred_at=event["occurred_at"], **fields))


def booked(session: Session, event: dict[str, Any]) -> None:
    shipment = _shipment(session, event)
    shipment.mode, shipment.origin, shipment.destination = event["mode"], event["origin"], event["destination"]
    shipment.booked_at = event["occurred_at"]
    shipment.eta = shipment.eta or event.get("eta")
    _advance(shipment, {**event, "location": event["origin"], "eta": None}, "booked")
    _milestone(session, event, "booked", status="booked", location=event["origin"],
               description=f"Booked {event['mode']} {event['origin']} → {event['destination']}")


def status_changed(session: Session, event: dict[str, Any]) -> None:
    shipment = _shipment(session, event)
    _advance(shipment, event, event["status"])
    _milestone(session, event, "status", status=event["status"], location=event.get("location"),
               description=event.get("description"))


def exception(session: Session, event: dict[str, Any]) -> Shipment:
    shipment = _shipment(session, event)
    shipment.open_exceptions = (shipment.open_exceptions or 0) + 1
    if event.get("eta"):
        shipment.eta = event["eta"]
    _milestone(session, event, "exception", status=event["exception_type"], location=event.get("location"),
               description=event["description"])
    return shipment


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


def account_summary(session: Session, actor: Identity, account_id: str) -> dict[str, Any]:
    account = session.get(AccountView, str(account_id))
    if account is None or not account_view.visible_to(actor, account):
        raise NotFound(f"Account {account_id} is not known to the service desk.")
    in_transit = session.scalars(
        select(Shipment).where(Shipment.account_id == account.account_id, Shipment.status.not_in(CLOSED))
        .order_by(Shipment.status_at.desc()).limit(20)).all()
    last = {}
    for shipment in in_transit:
        milestone = session.scalar(select(Milestone).where(Milestone.reference == shipment.reference)
                                   .order_by(Milestone.occurred_at.desc()).limit(1))
        last[shipment.reference] = milestone_out(milestone) if milestone else None
    return {"shipments_in_transit": [{**to_out(s), "last_milestone": last[s.reference]} for s in in_transit],
            "open_exceptions": sum(s.open_exceptions for s in in_transit)}


def to_out(shipment: Shipment) -> dict[str, Any]:
    return jsonio.to_jsonable({k: getattr(shipment, k) for k in (
        "reference", "customer_code", "account_id", "mode", "origin", "destination", "status", "status_at",
        "eta", "last_location", "open_exceptions")})


def milestone_out(m: Milestone) -> dict[str, Any]:
    return jsonio.to_jsonable({"event_id": m.event_id, "kind": m.kind, "status": m.status, "location": m.location,
                               "description": m.description, "occurred_at": m.occurred_at})
