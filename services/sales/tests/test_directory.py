"""Read models from other services' events: out of order, merges, and the service's wiring."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from crm_contracts.bus import subscriptions
from crm_contracts.chassis.handlers import ReliableEventHandler
from crm_contracts.chassis.validation import load
from crm_contracts.payloads.opportunities import OpportunityCreate
from crm_sales import directory, merging, opportunities
from crm_sales.models import AccountCredit, Opportunity, UserView
from crm_sales.service import SalesService


def test_an_older_user_event_arriving_late_changes_nothing(world):
    user_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    newer = {"user_id": user_id, "username": "amy", "role": "sales_rep", "region": "east", "team": "t9",
             "active": True, "occurred_at": now}
    with world.tx() as uow:
        directory.apply_user(uow.session, newer)
        directory.apply_user(uow.session, {**newer, "team": "old", "occurred_at": now - timedelta(minutes=1)})
    with world.read() as session:
        assert session.get(UserView, user_id).team == "t9"


def test_credit_snapshots_apply_by_version(world):
    account_id = str(uuid.uuid4())
    with world.tx() as uow:
        directory.apply_credit(uow.session, {"account_id": account_id, "credit_hold": False, "over_limit": True,
                                             "version": 3})
        assert directory.apply_credit(uow.session, {"account_id": account_id, "credit_hold": True,
                                                    "over_limit": False, "version": 2}) is None
    with world.read() as session:
        credit = session.get(AccountCredit, account_id)
    assert (credit.credit_hold, credit.over_limit) == (False, True)


def test_a_merge_moves_the_duplicates_opportunities_to_the_survivor(world, rep):
    duplicate, survivor = world.account(owner=rep), world.account(name="Survivor", owner=rep)
    with world.tx() as uow:
        opp = opportunities.create(uow, rep, load(OpportunityCreate, {"name": "Deal", "account_id": duplicate}))

    with world.tx() as uow:
        moved = merging.on_account_merged(uow, {"survivor_id": survivor, "duplicate_id": duplicate})

    assert moved["opportunity"] == 1
    with world.read() as session:
        assert session.get(Opportunity, opp.id).account_id == survivor
    assert world.events("opportunity.updated")[-1]["account_id"] == survivor


def test_every_event_handler_of_the_service_is_subscribed():
    handlers = [(name, ext.event_cls) for name in dir(SalesService)
                for ext in getattr(getattr(SalesService, name), "nameko_entrypoints", ())
                if isinstance(ext, ReliableEventHandler)]

    assert len(handlers) == 12
    assert all(subscriptions.find("sales", name, event) for name, event in handlers)
