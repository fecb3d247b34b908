"""Opportunities: stages, history and time in stage, invalid moves, forecast; competitors' win/loss."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from crm_contracts.chassis.validation import load
from crm_contracts.errors import Conflict, NotFound, ValidationFailed
from crm_contracts.payloads.competitors import CompetitorCreate, PriceSeenCreate
from crm_contracts.payloads.opportunities import OpportunityCreate, StageMove
from crm_sales import competitors, forecast, opportunities


def new_opp(world, actor, account_id, **fields):
    with world.tx() as uow:
        return opportunities.create(uow, actor, load(OpportunityCreate, {
            "name": "Deal", "account_id": account_id, **fields}))


def move(world, actor, opp_id, now=None, **payload):
    with world.tx() as uow:
        return opportunities.move_stage(uow, actor, opp_id, load(StageMove, payload), now=now)


def test_an_opportunity_starts_in_the_first_stage_with_its_probability(world, rep):
    account_id = world.account(owner=rep)

    opp = new_opp(world, rep, account_id, amount={"amount": "50000", "currency": "CNY"})

    assert (opp.stage, opp.probability, opp.status, opp.region, opp.owner_id) == (
        "prospecting", 10, "open", "east", rep.user_id)
    assert world.events("opportunity.created")[0]["amount"] == {"amount": "50000.00", "currency": "CNY"}


def test_stage_moves_are_recorded_with_time_in_stage_and_published(world, rep):
    opp = new_opp(world, rep, world.account(owner=rep))
    start = opp.stage_entered_at

    move(world, rep, opp.id, now=start + timedelta(hours=2), stage="proposal")
    moved = move(world, rep, opp.id, now=start + timedelta(hours=5), stage="lost", lost_reason="price")

    assert (moved.status, moved.probability, moved.lost_reason) == ("lost", 0, "price")
    with world.read() as session:
        history = opportunities.stage_history(session, rep, opp.id)
    assert [(h["from_stage"], h["to_stage"], h["seconds_in_previous"]) for h in history] == [
        (None, "prospecting", None), ("prospecting", "proposal", 7200), ("proposal", "lost", 10800)]
    assert [e["from_stage"] for e in world.events("opportunity.stage_changed")] == ["prospecting", "proposal"]


def test_invalid_stage_moves_are_refused_with_the_reason(world, rep):
    opp = new_opp(world, rep, world.account(owner=rep))

    with pytest.raises(Conflict, match="already in stage"):
        move(world, rep, opp.id, stage="prospecting")
    with pytest.raises(ValidationFailed) as unknown:
        move(world, rep, opp.id, stage="dreaming")
    with pytest.raises(ValidationFailed) as no_reason:
        move(world, rep, opp.id, stage="lost")
    move(world, rep, opp.id, stage="won")
    with pytest.raises(Conflict, match="closed"):
        move(world, rep, opp.id, stage="negotiation")

    assert "stage" in unknown.value.errors and "lost_reason" in no_reason.value.errors
    assert len(world.events("opportunity.stage_changed")) == 1


def test_others_opportunities_are_invisible(world, rep, west_rep):
    opp = new_opp(world, rep, world.account(owner=rep))

    with world.read() as session, pytest.raises(NotFound):
        opportunities.get(session, west_rep, opp.id)


def test_the_forecast_weights_amounts_by_stage_probability_per_month(world, rep, manager):
    account_id = world.account(owner=rep)
    today = date(2030, 1, 15)
    new_opp(world, rep, account_id, amount={"amount": "1000", "currency": "CNY"}, expected_close="2030-01-20")
    new_opp(world, rep, account_id, amount={"amount": "3000", "currency": "CNY"}, expected_close="2030-01-31",
            stage="negotiation")
    new_opp(world, rep, account_id, amount={"amount": "500", "currency": "USD"}, expected_close="2030-03-02",
            stage="proposal")
    new_opp(world, rep, account_id, amount={"amount": "999", "currency": "CNY"}, expected_close="2031-01-01")

    with world.read() as session:
        figures = forecast.forecast(session, manager, {"months": 3}, today=today)

    assert figures["months"] == [
        {"month": "2030-01", "currency": "CNY", "opportunities": 2, "amount": "4000.00", "weighted": "2500.00"},
        {"month": "2030-03", "currency": "USD", "opportunities": 1, "amount": "500.00", "weighted": "300.00"}]
    assert [(p["stage"], p["currency"], p["weighted"]) for p in figures["pipeline"]] == [
        ("prospecting", "CNY", "199.90"), ("proposal", "USD", "300.00"), ("negotiation", "CNY", "2400.00")]


def test_win_loss_against_a_competitor_counts_the_deals_they_were_in(world, rep):
    account_id = world.account(owner=rep)
    with world.tx() as uow:
        rival = competitors.create(uow, rep, load(CompetitorCreate, {
            "name": "Rival Freight", "strengths": ["price"],
            "lanes": [{"origin": "CNSHA", "destination": "DEHAM", "mode": "sea_fcl"}]}))
    won = new_opp(world, rep, account_id, competitor_ids=[rival.id])
    lost = new_opp(world, rep, account_id, competitor_ids=[rival.id])
    new_opp(world, rep, account_id, competitor_ids=[rival.id])
    move(world, rep, won.id, stage="won")
    move(world, rep, lost.id, stage="lost", lost_reason="price", lost_to_competitor_id=rival.id)
    with world.tx() as uow:
        competitors.record_price(uow, rep, rival.id, load(PriceSeenCreate, {
            "origin": "CNSHA", "destination": "DEHAM", "mode": "sea_fcl",
            "price": {"amount": "1450", "currency": "USD"}, "unit": "per_container"}))

    with world.read() as session:
        stats = competitors.win_loss(session, rep, rival.id)
        on_lane, _ = competitors.list_(session, rep, {"origin": "CNSHA", "mode": "sea_fcl", "limit": 10})
        off_lane, _ = competitors.list_(session, rep, {"destination": "USLAX", "limit": 10})

    assert stats == {"opportunities": 3, "open": 1, "won": 1, "lost": 1, "lost_to_them": 1, "win_rate": 0.5}
    assert [c.id for c in on_lane] == [rival.id] and off_lane == []
    with world.tx() as uow, pytest.raises(Conflict):
        competitors.create(uow, rep, load(CompetitorCreate, {"name": "RIVAL FREIGHT CO., LTD."}))


def test_moving_back_between_open_stages_is_allowed(world, rep):
    opp = new_opp(world, rep, world.account(owner=rep), stage="negotiation")

    moved = move(world, rep, opp.id, now=datetime.now(UTC), stage="qualification")

    assert (moved.stage, moved.probability) == ("qualification", 20)


def test_a_page_of_opportunities_names_each_ones_own_competitors(world, rep):
    account_id = world.account(owner=rep)
    with world.tx() as uow:
        one, two = (competitors.create(uow, rep, load(CompetitorCreate, {"name": name}))
                    for name in ("Rival One", "Rival Two"))
    both = new_opp(world, rep, account_id, competitor_ids=[one.id, two.id])
    none = new_opp(world, rep, account_id)
    single = new_opp(world, rep, account_id, competitor_ids=[two.id])

    with world.read() as session:
        out = opportunities.page_out(session, [both, none, single])

    assert [o["competitor_ids"] for o in out] == [sorted([one.id, two.id]), [], [two.id]]
