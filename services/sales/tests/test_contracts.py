"""Contracts from accepted quotes: template, approval, milestones and their reminders."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from crm_contracts.chassis.validation import load
from crm_contracts.errors import Conflict, Forbidden, ValidationFailed
from crm_contracts.payloads.contracts import ContractCreate, MilestoneUpdate, TemplateCreate
from crm_contracts.payloads.quotes import QuoteCreate, RateCardCreate
from crm_sales import agreements, payments, quote_flow, quotes, ratecards

from .test_quotes import AIR_CARD


@pytest.fixture
def accepted(world, rep, manager):
    with world.tx() as uow:
        ratecards.create(uow, manager, load(RateCardCreate, AIR_CARD))
    account_id = world.account(name="Contract Customer", owner=rep)
    with world.tx() as uow:
        q = quotes.create(uow, rep, load(QuoteCreate, {"account_id": account_id, "mode": "air", "origin": "CNPVG",
                                                       "destination": "DEFRA", "weight_kg": "120"}))
    with world.tx() as uow:
        quote_flow.send(uow, rep, q.id)
    with world.tx() as uow:
        return quote_flow.accept(uow, rep, q.id)


@pytest.fixture
def template(world, manager):
    with world.tx() as uow:
        return agreements.create_template(uow, manager, load(TemplateCreate, {
            "name": "Annual", "term_months": 12, "body": "{contract_number}: {account_name} pays {total} {currency}.",
            "milestones": [{"name": "Deposit", "percent": "30", "due_days": 0},
                           {"name": "Balance", "percent": "70", "due_days": 30}]}))


def new_contract(world, actor, quote_id, template_id=None, start=None):
    with world.tx() as uow:
        return agreements.create(uow, actor, load(ContractCreate, {
            "quote_id": quote_id, "template_id": template_id, "start_date": str(start or date(2030, 1, 31))}))


def test_a_contract_from_an_accepted_quote_renders_the_template_and_plans_the_payments(
        world, rep, accepted, template):
    contract = new_contract(world, rep, accepted.id, template.id)

    assert contract.body == f"{contract.number}: Contract Customer pays 3020.00 CNY."
    assert (contract.status, contract.end_date, contract.renewal_date) == (
        "pending_approval", date(2031, 1, 31), date(2031, 1, 31))
    with world.read() as session:
        plan = [(m.name, m.due_on, m.amount) for m in agreements.milestones(session, contract.id)]
    assert plan == [("Deposit", date(2030, 1, 31), Decimal("906.00")),
                    ("Balance", date(2030, 3, 2), Decimal("2114.00"))]
    assert world.events("contract.created")[0]["quote_id"] == accepted.id


def test_only_accepted_quotes_make_contracts_and_only_once(world, rep, accepted, template):
    new_contract(world, rep, accepted.id)
    with pytest.raises(Conflict, match="already has a contract"):
        new_contract(world, rep, accepted.id)


def test_a_manager_of_the_region_approves(world, rep, manager, accepted):
    contract = new_contract(world, rep, accepted.id)

    with world.tx() as uow, pytest.raises(Forbidden):
        agreements.decide(uow, rep, contract.id, True, None)
    with world.tx() as uow:
        approved = agreements.decide(uow, manager, contract.id, True, "ok")
    with world.tx() as uow, pytest.raises(Conflict):
        agreements.decide(uow, manager, contract.id, True, None)

    assert approved.status == "approved" and len(world.events("contract.approved")) == 1


def test_milestones_remind_three_days_ahead_then_when_overdue_once_each(world, rep, manager, accepted, template):
    start = date(2030, 1, 31)
    contract = new_contract(world, rep, accepted.id, template.id, start=start)
    with world.tx() as uow:
        agreements.decide(uow, manager, contract.id, True, None)
    balance_due = start + timedelta(days=30)

    def remind(day):
        with world.tx() as uow:
            return payments.remind(uow, today=day)

    assert remind(balance_due - timedelta(days=4)) == {"due": 0, "overdue": 1, "renewal": 0}  # the deposit
    assert remind(balance_due - timedelta(days=3))["due"] == 1
    assert remind(balance_due - timedelta(days=2))["due"] == 0
    assert remind(balance_due + timedelta(days=1))["overdue"] == 1  # the balance
    assert remind(balance_due + timedelta(days=2))["overdue"] == 0
    [due] = world.events("milestone.due")
    assert (due["name"], due["days_left"]) == ("Balance", 3)


def test_paying_a_milestone_publishes_and_stops_its_reminders(world, rep, manager, accepted, template):
    contract = new_contract(world, rep, accepted.id, template.id)
    with world.tx() as uow:
        agreements.decide(uow, manager, contract.id, True, None)
    with world.read() as session:
        deposit = agreements.milestones(session, contract.id)[0]

    with world.tx() as uow:
        payments.change(uow, rep, contract.id, deposit.id, load(MilestoneUpdate, {"paid_on": "2030-01-31"}))
    with world.tx() as uow:
        sent = payments.remind(uow, today=date(2030, 3, 10))

    assert sent["overdue"] == 1 and world.events("milestone.paid")[0]["milestone_id"] == deposit.id


def test_the_renewal_is_announced_ahead_of_the_renewal_date(world, rep, manager, accepted):
    contract = new_contract(world, rep, accepted.id)
    with world.tx() as uow:
        agreements.decide(uow, manager, contract.id, True, None)

    with world.tx() as uow:
        sent = payments.remind(uow, today=contract.renewal_date - timedelta(days=30))

    assert sent["renewal"] == 1 and len(world.events("contract.renewal_due")) == 1


def test_a_template_must_have_milestones_adding_up(world):
    with pytest.raises(ValidationFailed):
        load(TemplateCreate, {"name": "x", "body": "y", "milestones": [{"name": "a", "percent": "50",
                                                                       "due_days": 0}]})
