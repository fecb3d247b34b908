"""The public pool: claim, limit, cool-down, release, sweep, transfer, a departing rep."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from crm_contracts.chassis.validation import load
from crm_contracts.errors import Conflict, Forbidden, NotFound
from crm_contracts.payloads.leads import LeadCreate, LeadTransfer
from crm_contracts.payloads.opportunities import OpportunityCreate
from crm_contracts.payloads.sales_settings import SalesSettings
from crm_sales import leads, opportunities, pool, settings
from crm_sales.models import Lead, RepLoad

from .conftest import identity

POLICY = {"release_after_days": 30, "warn_days_before": 3, "claim_limit": 2, "reclaim_cooldown_days": 7}


def pooled(world, manager, n=1, **fields):
    out = []
    for _ in range(n):
        payload = {"company": f"Pool {uuid.uuid4().hex[:8]}", **fields}
        with world.tx() as uow:
            out.append(leads.create(uow, manager, load(LeadCreate, payload)))
    return out


@pytest.fixture
def limited(world, admin):
    with world.tx() as uow:
        settings.update(uow, admin, load(SalesSettings, {"pool": POLICY}))


def load_of(world, user):
    with world.read() as session:
        row = session.get(RepLoad, user.user_id)
        return row.open_leads if row else 0


def test_claiming_a_pool_lead_makes_it_mine_and_publishes(world, manager, rep, limited):
    [lead] = pooled(world, manager)

    with world.tx() as uow:
        claimed = pool.claim(uow, rep, lead.id)

    assert (claimed.status, claimed.owner_id, claimed.team) == ("assigned", rep.user_id, "t1")
    [event] = world.events("lead.claimed")
    assert (event["lead_id"], event["owner_id"]) == (lead.id, rep.user_id)
    assert load_of(world, rep) == 1


def test_the_second_claim_of_one_lead_gets_a_conflict(world, manager, rep, other_rep, limited):
    [lead] = pooled(world, manager)
    with world.tx() as uow:
        pool.claim(uow, rep, lead.id)

    with world.tx() as uow, pytest.raises(Conflict):
        pool.claim(uow, other_rep, lead.id)

    assert load_of(world, other_rep) == 0
    assert len(world.events("lead.claimed")) == 1


def test_a_rep_cannot_claim_past_the_limit(world, manager, rep, limited):
    leads_ = pooled(world, manager, n=3)
    for lead in leads_[:2]:
        with world.tx() as uow:
            pool.claim(uow, rep, lead.id)

    with world.tx() as uow, pytest.raises(Conflict) as over:
        pool.claim(uow, rep, leads_[2].id)

    assert "claim limit" in str(over.value)
    with world.read() as session:
        assert session.get(Lead, leads_[2].id).status == "pool"
    assert load_of(world, rep) == 2


def test_released_leads_return_to_the_pool_and_the_previous_owner_waits_out_the_cool_down(
        world, manager, rep, other_rep, limited):
    [lead] = pooled(world, manager)
    with world.tx() as uow:
        pool.claim(uow, rep, lead.id)
    with world.tx() as uow:
        released = pool.release(uow, rep, lead.id, "not a fit")

    assert (released.status, released.owner_id, released.previous_owner_id) == ("pool", None, rep.user_id)
    assert world.events("lead.released")[0]["reason"] == "manual"
    assert load_of(world, rep) == 0
    with world.tx() as uow, pytest.raises(Conflict) as cooling:
        pool.claim(uow, rep, lead.id)
    assert "claim it again" in str(cooling.value)
    with world.tx() as uow:
        assert pool.claim(uow, other_rep, lead.id).owner_id == other_rep.user_id


def test_the_sweep_warns_first_then_returns_neglected_leads_once(world, manager, rep, limited):
    [lead] = pooled(world, manager)
    with world.tx() as uow:
        pool.claim(uow, rep, lead.id)
    now = datetime.now(UTC)

    with world.tx() as uow:
        early = pool.sweep(uow, now=now + timedelta(days=26))
    with world.tx() as uow:
        warned = pool.sweep(uow, now=now + timedelta(days=28))
    with world.tx() as uow:
        again = pool.sweep(uow, now=now + timedelta(days=29))
    with world.tx() as uow:
        released = pool.sweep(uow, now=now + timedelta(days=31))

    assert (early, warned, again) == ({"warned": 0, "released": 0}, {"warned": 1, "released": 0},
                                      {"warned": 0, "released": 0})
    assert released == {"warned": 0, "released": 1}
    [warning] = world.events("lead.release_warned")
    assert warning["owner_id"] == rep.user_id
    assert [e["reason"] for e in world.events("lead.released")] == ["inactivity"]
    assert load_of(world, rep) == 0


def test_a_manager_transfers_in_bulk_within_the_region_and_reps_may_not(world, manager, rep, other_rep):
    mine = [lead for lead in pooled(world, manager, n=2)]
    for lead in mine:
        with world.tx() as uow:
            pool.claim(uow, rep, lead.id)

    with world.tx() as uow, pytest.raises(Forbidden):
        pool.transfer(uow, rep, load(LeadTransfer, {"from_owner_id": rep.user_id, "to_owner_id": other_rep.user_id}))
    with world.tx() as uow:
        moved = pool.transfer(uow, manager, load(LeadTransfer, {"from_owner_id": rep.user_id,
                                                                "to_owner_id": other_rep.user_id}))

    assert moved == {"leads": 2, "opportunities": 0, "to_owner_id": other_rep.user_id}
    assert (load_of(world, rep), load_of(world, other_rep)) == (0, 2)
    assert len(world.events("lead.transferred")) == 2


def test_a_deactivated_reps_leads_and_opportunities_go_to_the_successor(world, manager, rep, other_rep):
    [lead] = pooled(world, manager)
    with world.tx() as uow:
        pool.claim(uow, rep, lead.id)
    account_id = world.account(owner=rep)
    with world.tx() as uow:
        opp = opportunities.create(uow, rep, load(OpportunityCreate, {"name": "Deal", "account_id": account_id}))

    with world.tx() as uow:
        moved = pool.on_user_deactivated(uow, {"user_id": rep.user_id, "successor_id": other_rep.user_id})

    assert moved == {"leads": 1, "opportunities": 1}
    with world.read() as session:
        assert session.get(Lead, lead.id).owner_id == other_rep.user_id
        assert opportunities.get(session, manager, opp.id).owner_id == other_rep.user_id


def test_without_a_successor_a_departing_reps_leads_go_back_to_the_pool(world, manager, rep):
    [lead] = pooled(world, manager)
    with world.tx() as uow:
        pool.claim(uow, rep, lead.id)

    with world.tx() as uow:
        pool.on_user_deactivated(uow, {"user_id": rep.user_id, "successor_id": None})

    with world.read() as session:
        assert session.get(Lead, lead.id).status == "pool"
    assert world.events("lead.released")[-1]["reason"] == "deactivation"


def test_the_pool_lists_only_the_callers_region(world, manager, rep):
    pooled(world, manager, n=2)
    west_manager = world.user(identity("sales_manager", region="west"))
    pooled(world, west_manager, n=1)

    with world.read() as session:
        east, _ = pool.list_pool(session, rep, {"limit": 50})
        with pytest.raises(NotFound):
            leads.get(session, rep, pooled(world, west_manager)[0].id)

    assert len(east) == 2 and {lead.region for lead in east} == {"east"}
