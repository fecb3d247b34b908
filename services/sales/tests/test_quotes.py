"""Freight quotes: chargeable weight by mode, weight breaks, surcharges, approval, lifecycle, expiry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from crm_contracts.chassis.validation import load
from crm_contracts.errors import Conflict, Forbidden, ValidationFailed
from crm_contracts.payloads.quotes import QuoteCreate, QuoteRevise, RateCardCreate
from crm_sales import directory, freight, quote_flow, quotes, ratecards

TODAY = date.today()
AIR_CARD = {"name": "PVG-FRA air", "origin": "CNPVG", "destination": "DEFRA", "mode": "air", "currency": "CNY",
            "breaks": [{"min_qty": "0", "rate": "30", "cost": "25"}, {"min_qty": "45", "rate": "25", "cost": "20"},
                       {"min_qty": "100", "rate": "20", "cost": "16"}],
            "min_charge": "500", "valid_from": str(TODAY - timedelta(days=1)),
            "valid_to": str(TODAY + timedelta(days=90)),
            "surcharges": [{"code": "fuel", "basis": "percent_freight", "value": "10"},
                           {"code": "security", "basis": "per_unit", "value": "1.5"},
                           {"code": "pickup", "basis": "flat", "value": "200"}]}


@pytest.mark.parametrize(("mode", "weight", "cbm", "pieces", "expected"), [
    ("air", "100", "1", 1, (Decimal("167"), "kg")),            # 1 cbm = 166.67 kg, rounded up to 0.5
    ("air", "300", "1", 1, (Decimal("300"), "kg")),
    ("express", "10", "0.1", 1, (Decimal("20"), "kg")),         # 1:5000
    ("road_ltl", "200", "1", 1, (Decimal("333.5"), "kg")),      # 1:3000
    ("sea_lcl", "1500", "2.2", 1, (Decimal("2.2"), "revenue_ton")),  # W/M: 1 cbm = 1,000 kg
    ("sea_lcl", "3000", "2.2", 1, (Decimal("3"), "revenue_ton")),
    ("sea_fcl", "18000", "30", 2, (Decimal("2"), "unit")),
])
def test_chargeable_quantity_follows_the_mode(mode, weight, cbm, pieces, expected):
    cargo = freight.Cargo(mode=mode, pieces=pieces, weight_kg=Decimal(weight), volume_cbm=Decimal(cbm))
    assert freight.chargeable(cargo) == expected


def test_dimensions_give_the_volume():
    cargo = freight.Cargo(mode="air", pieces=2, weight_kg=Decimal(10),
                          dimensions=[{"length_cm": 100, "width_cm": 50, "height_cm": 40, "pieces": 2}])
    assert freight.volume(cargo) == Decimal("0.4") and freight.chargeable(cargo) == (Decimal("67"), "kg")


@pytest.fixture
def card(world, manager):
    with world.tx() as uow:
        return ratecards.create(uow, manager, load(RateCardCreate, AIR_CARD))


@pytest.fixture
def account_id(world, rep):
    return world.account(owner=rep)


def quote(world, actor, account_id, **fields):
    payload = {"account_id": account_id, "mode": "air", "origin": "CNPVG", "destination": "DEFRA", "weight_kg": "120",
               "volume_cbm": "0.5", **fields}
    with world.tx() as uow:
        return quotes.create(uow, actor, load(QuoteCreate, payload))


def test_a_quote_is_priced_from_the_lanes_rate_card(world, rep, card, account_id):
    q = quote(world, rep, account_id)

    # 120 kg actual vs 83.5 kg volumetric → 120 kg in the 100+ break at 20 = 2400
    assert (q.chargeable, q.freight) == (Decimal("120"), Decimal("2400.00"))
    assert [(s["code"], s["amount"]) for s in q.surcharges] == [("fuel", "240.00"), ("security", "180.00"),
                                                                ("pickup", "200.00")]
    assert (q.total, q.currency, q.status, q.version) == (Decimal("3020.00"), "CNY", "draft", 1)
    assert q.margin_pct == Decimal("15.89")  # cost 120 × 16 = 1920, surcharges 620 passed through
    assert world.events("quote.created")[0]["total"] == {"amount": "3020.00", "currency": "CNY"}


def test_the_minimum_charge_applies_to_small_shipments(world, rep, card, account_id):
    q = quote(world, rep, account_id, weight_kg="5", volume_cbm=None, surcharges=[])
    assert (q.freight, q.total) == (Decimal("500.00"), Decimal("500.00"))


def test_a_big_discount_a_thin_margin_or_a_credit_hold_needs_approval(world, rep, manager, card, account_id):
    with world.tx() as uow:
        directory.apply_credit(uow.session, {"account_id": account_id, "credit_hold": True, "over_limit": True,
                                             "version": 1})

    q = quote(world, rep, account_id, discount_pct="15")

    assert q.status == "pending_approval"
    assert [r.split(" ")[0] for r in q.approval_reasons] == ["discount", "margin", "the", "the"]
    [asked] = world.events("quote.approval_requested")
    assert len(asked["reasons"]) == 4
    with world.tx() as uow, pytest.raises(Conflict, match="needs approval"):
        quote_flow.send(uow, rep, q.id)
    with world.tx() as uow, pytest.raises(Forbidden):
        quote_flow.approve(uow, rep, q.id)
    with world.tx() as uow:
        assert quote_flow.approve(uow, manager, q.id).status == "approved"
    with world.tx() as uow:
        assert quote_flow.send(uow, rep, q.id).status == "sent"


def test_send_accept_and_reject_follow_the_lifecycle(world, rep, card, account_id):
    accepted, rejected = quote(world, rep, account_id), quote(world, rep, account_id)
    for q in (accepted, rejected):
        with world.tx() as uow:
            quote_flow.send(uow, rep, q.id)

    with world.tx() as uow:
        quote_flow.accept(uow, rep, accepted.id)
    with world.tx() as uow:
        quote_flow.reject(uow, rep, rejected.id, "too dear")
    with world.tx() as uow, pytest.raises(Conflict):
        quote_flow.reject(uow, rep, accepted.id)

    assert [e["_key"] for e in world.events() if e["_key"].startswith("quote.")][-2:] == [
        "quote.accepted", "quote.rejected"]
    assert world.events("quote.rejected")[0]["reason"] == "too dear"


def test_an_expired_quote_cannot_be_accepted_and_the_daily_run_marks_it(world, rep, card, account_id):
    q = quote(world, rep, account_id, valid_until=str(TODAY))
    with world.tx() as uow:
        quote_flow.send(uow, rep, q.id)

    with world.tx() as uow, pytest.raises(Conflict, match="expired"):
        quote_flow.accept(uow, rep, q.id, today=TODAY + timedelta(days=1))
    with world.tx() as uow:
        assert quote_flow.expire_due(uow, today=TODAY + timedelta(days=1)) == 1
    with world.tx() as uow:
        assert quote_flow.expire_due(uow, today=TODAY + timedelta(days=2)) == 0

    assert len(world.events("quote.expired")) == 1


def test_revising_makes_a_new_version_and_supersedes_the_old(world, rep, card, account_id):
    first = quote(world, rep, account_id)

    with world.tx() as uow:
        second = quotes.revise(uow, rep, first.id, load(QuoteRevise, {"weight_kg": "40", "volume_cbm": "0.1"}))

    assert (second.number, second.version, second.chargeable) == (first.number, 2, Decimal("40"))
    with world.read() as session:
        history, _ = quotes.list_(session, rep, {"account_id": account_id, "all_versions": True, "limit": 10})
        current, _ = quotes.list_(session, rep, {"account_id": account_id, "limit": 10})
    assert sorted((q.version, q.status) for q in history) == [(1, "superseded"), (2, "draft")]
    assert [q.id for q in current] == [second.id]


def test_bad_quote_input_is_refused_with_the_reason(world, rep, card, account_id):
    with pytest.raises(ValidationFailed) as no_lane:
        load(QuoteCreate, {"account_id": account_id, "mode": "air", "weight_kg": "10"})
    with pytest.raises(ValidationFailed) as negative:
        load(QuoteCreate, {"account_id": account_id, "mode": "air", "origin": "CNPVG", "destination": "DEFRA",
                           "weight_kg": "-5"})
    with pytest.raises(ValidationFailed) as no_card:
        quote(world, rep, account_id, destination="USJFK")
    with pytest.raises(ValidationFailed) as insurance:
        quote(world, rep, account_id, surcharges=[{"code": "insurance", "basis": "percent_cargo_value", "value": "1"}])

    assert {"origin", "destination"} <= set(no_lane.value.errors) and "weight_kg" in negative.value.errors
    assert "lane" in no_card.value.errors and "cargo_value" in insurance.value.errors


def test_rate_cards_are_maintained_by_managers_only(world, rep):
    with world.tx() as uow, pytest.raises(Forbidden):
        ratecards.create(uow, rep, load(RateCardCreate, AIR_CARD))
    with pytest.raises(ValidationFailed):
        load(RateCardCreate, {**AIR_CARD, "breaks": [{"min_qty": "10", "rate": "1"}]})


def test_the_quote_events_carry_plain_json(world, rep, card, account_id):
    quote(world, rep, account_id)
    [event] = world.events("quote.created")
    assert datetime.fromisoformat(event["occurred_at"]).tzinfo == UTC
