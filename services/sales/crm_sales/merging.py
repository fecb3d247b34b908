"""``account.merged``: every sales record of the duplicate account now belongs to the survivor."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.events.sales import OpportunityUpdated
from sqlalchemy import select, update

from .models import AUDIT, Activity, Contract, Lead, Opportunity, PartyKey, Quote
from .opportunities import snapshot

MOVED = (("lead", Lead), ("quote", Quote), ("contract", Contract), ("activity", Activity))


def on_account_merged(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, int]:
    session = uow.session
    survivor, duplicate = str(event["survivor_id"]), str(event["duplicate_id"])
    change = {"account_id": {"old": duplicate, "new": survivor}}
    moved: dict[str, int] = {}
    for entity, model in MOVED:
        ids = session.scalars(select(model.id).where(model.account_id == duplicate)).all()
        session.execute(update(model).where(model.account_id == duplicate).values(account_id=survivor)
                        .execution_options(synchronize_session=False))
        for record_id in ids:
            audit.record(session, AUDIT, entity=entity, entity_id=record_id, action="account_merged", actor=None,
                         changes=change)
        moved[entity] = len(ids)
    opportunities = session.scalars(select(Opportunity).where(Opportunity.account_id == duplicate)).all()
    for opp in opportunities:
        opp.account_id = survivor
        session.flush()
        audit.record(session, AUDIT, entity="opportunity", entity_id=opp.id, action="account_merged", actor=None,
                     changes=change)
        uow.emit(OpportunityUpdated, actor=None, changed=["account_id"], **snapshot(opp))
    moved["opportunity"] = len(opportunities)
    session.execute(update(PartyKey).where(PartyKey.account_id == duplicate).values(account_id=survivor))
    return moved
