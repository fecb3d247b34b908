"""Customer value figures: what analytics has recorded for one customer, the customers merged into it
included."""

from __future__ import annotations

from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import account_view
from crm_contracts.errors import NotFound
from crm_contracts.identity import Identity
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from .models import CustomerFact, ShipmentFact

# Shipments count under the customer's own code and the codes of the customers merged into it: per
# lane, with the latest booking, in one statement built once (building costs more than running it).
_CODES = select(CustomerFact.customer_code).where(or_(CustomerFact.account_id == bindparam("account_id"),
                                                      CustomerFact.merged_into == bindparam("account_id")))
BY_LANE = (select(ShipmentFact.lane, func.count(), func.max(ShipmentFact.booked_at))
           .where(ShipmentFact.customer_code.in_(_CODES)).group_by(ShipmentFact.lane))


def apply_account(session: Session, event: dict[str, Any]) -> CustomerFact:
    """Upsert from an account snapshot. A snapshot from before the merge (``account.created`` or
    ``.updated`` delivered late) refreshes the fields of a merged customer but never its status."""
    return account_view.apply_snapshot(session, CustomerFact, event)


def record_shipment(session: Session, event: dict[str, Any]) -> None:
    if session.get(ShipmentFact, event["reference"]) is None:
        session.add(ShipmentFact(reference=event["reference"], customer_code=event["customer_code"],
                                 mode=event["mode"], lane=f"{event['origin']}-{event['destination']}",
                                 booked_at=event["occurred_at"]))


def figures(session: Session, actor: Identity, account_id: str) -> dict[str, Any]:
    fact = session.get(CustomerFact, str(account_id))
    if fact is None or not account_view.visible_to(actor, fact):
        raise NotFound(f"Analytics has no customer {account_id}.")
    if fact.merged_into is not None:
        survivor = account_view.resolve(session, CustomerFact, fact.merged_into)
        raise NotFound(f"Customer {account_id} was merged into {survivor}.", merged_into=survivor)
    by_lane = session.execute(BY_LANE, {"account_id": fact.account_id}).all()
    lanes = {lane: count for lane, count, _ in by_lane}
    last = max((latest for _, _, latest in by_lane if latest is not None), default=None)
    if last is not None and last.tzinfo is None:  # aggregates bypass the column type on SQLite
        last = last.replace(tzinfo=fact.first_seen_at.tzinfo)
    return jsonio.to_jsonable({
        "account_id": fact.account_id, "customer_code": fact.customer_code, "name": fact.name,
        "region": fact.region, "tier": fact.tier, "status": fact.status, "first_seen_at": fact.first_seen_at,
        "shipments_booked": sum(lanes.values()), "last_shipment_at": last, "lanes": lanes,
    })
