"""Lead conversion across the customer service: all or nothing, resumable, no second account."""

from __future__ import annotations

import uuid

import pytest
from crm_contracts.chassis.validation import load
from crm_contracts.errors import Conflict, ValidationFailed
from crm_contracts.payloads.leads import LeadConvert, LeadCreate
from crm_sales import conversion, leads
from crm_sales.models import Lead, LeadConversion, Opportunity, RepLoad


class FakeCustomer:
    """The customer service's RPC as the conversion uses it, recording what it was asked."""

    def __init__(self) -> None:
        self.accounts: dict[str, dict] = {}
        self.contacts: list[tuple[str, dict]] = []
        self.fail_contact = 0
        self.duplicates: list[dict] = []

    def create_account(self, payload, allow_duplicate):
        if self.duplicates and not allow_duplicate:
            raise Conflict("looks like a customer", duplicates=self.duplicates)
        if any(a["customer_code"] == payload["customer_code"] for a in self.accounts.values()):
            raise Conflict(f"customer_code {payload['customer_code']} is already used.")
        account = {**payload, "id": str(uuid.uuid4())}
        self.accounts[account["id"]] = account
        return account

    def find_account(self, customer_code):
        return next((a for a in self.accounts.values() if a["customer_code"] == customer_code), None)

    def get_account(self, account_id):
        return self.accounts[account_id]

    def create_contact(self, account_id, payload):
        if self.fail_contact:
            self.fail_contact -= 1
            raise conversion.RemoteUnavailable("customer.create_contact did not answer")
        self.contacts.append((account_id, payload))
        return {"id": str(uuid.uuid4())}


@pytest.fixture
def customer():
    return FakeCustomer()


@pytest.fixture
def lead(world, rep):
    with world.tx() as uow:
        return leads.create(uow, rep, load(LeadCreate, {
            "company": "Ningbo Star Logistics", "contact_name": "Zhao Min", "phone": "0574-8765 4321",
            "email": "zhao@star.cn", "mode": "sea_fcl", "origin": "CNNGB", "destination": "USLAX"}))


def convert(world, customer, actor, lead_id, **payload):
    return conversion.convert(world.tx, customer, actor, lead_id, load(LeadConvert, payload))


def state(world, lead_id):
    with world.read() as session:
        return session.get(Lead, lead_id).status, session.get(LeadConversion, lead_id)


def test_converting_creates_account_contact_and_opportunity_and_publishes(world, customer, rep, lead):
    result = convert(world, customer, rep, lead.id,
                     opportunity={"name": "NGB-LAX FCL", "amount": {"amount": "12000.00", "currency": "USD"}})

    [account] = customer.accounts.values()
    assert (account["name"], account["region"], account["owner_id"]) == ("Ningbo Star Logistics", "east", rep.user_id)
    assert customer.contacts[0][1]["phones"] == [{"number": "+8657487654321", "kind": "office"}]
    with world.read() as session:
        converted = session.get(Lead, lead.id)
        opp = session.get(Opportunity, result["opportunity_id"])
        assert session.get(RepLoad, rep.user_id).open_leads == 0
    assert (converted.status, converted.account_id, converted.opportunity_id) == (
        "converted", account["id"], opp.id)
    assert (opp.amount, opp.currency, opp.account_id, opp.stage) == (12000, "USD", account["id"], "prospecting")
    [event] = world.events("lead.converted")
    assert (event["account_id"], event["opportunity_id"]) == (account["id"], opp.id)


def test_a_duplicate_customer_leaves_the_lead_as_it_was(world, customer, rep, lead):
    customer.duplicates = [{"id": "acc-1", "matched_on": ["name"]}]

    with pytest.raises(Conflict) as refused:
        convert(world, customer, rep, lead.id)

    assert refused.value.extra["duplicates"] == customer.duplicates
    assert state(world, lead.id) == ("assigned", None)
    assert customer.accounts == {} and world.events("lead.converted") == []


def test_a_customer_service_outage_holds_the_conversion_and_converting_again_finishes_without_a_second_account(
        world, customer, rep, lead):
    customer.fail_contact = 1

    with pytest.raises(Conflict) as held:
        convert(world, customer, rep, lead.id)
    status, record = state(world, lead.id)
    assert (status, record.status, record.attempts) == ("converting", "pending", 1)
    assert "convert again" in str(held.value)

    result = convert(world, customer, rep, lead.id)

    assert len(customer.accounts) == 1 and len(customer.contacts) == 1
    assert state(world, lead.id)[0] == "converted" and result["contact_id"]


def test_an_account_created_before_a_crash_is_found_again_by_its_code(world, customer, rep, lead):
    code = conversion.customer_code(lead)
    earlier = str(uuid.uuid4())
    customer.accounts[earlier] = {"id": earlier, "customer_code": code, "name": lead.company, "region": "east"}

    result = convert(world, customer, rep, lead.id, create_contact=False)

    assert result["account_id"] == earlier and len(customer.accounts) == 1


def test_converting_into_an_existing_account(world, customer, rep, lead):
    account_id = world.account(owner=rep)
    customer.accounts[account_id] = {"id": account_id, "region": "east", "customer_code": "X1", "name": "Acme"}

    result = convert(world, customer, rep, lead.id, account_id=account_id, create_opportunity=False)

    assert (result["account_id"], result["opportunity_id"]) == (account_id, None)
    assert len(customer.accounts) == 1


def test_what_the_customer_service_would_refuse_is_refused_before_calling_it(world, customer, rep, manager):
    with world.tx() as uow:
        nameless = leads.create(uow, rep, load(LeadCreate, {"company": "No Contact Ltd"}))
    with world.tx() as uow:
        pooled = leads.create(uow, manager, load(LeadCreate, {"company": "In The Pool"}))

    with pytest.raises(ValidationFailed) as no_contact:
        convert(world, customer, rep, nameless.id)
    with pytest.raises(Conflict) as in_pool:
        convert(world, customer, rep, pooled.id)
    with pytest.raises(ValidationFailed):
        convert(world, customer, rep, nameless.id, create_contact=False, opportunity={"stage": "won"})

    assert "contact" in no_contact.value.errors and "claim it" in str(in_pool.value)
    assert customer.accounts == {} and state(world, nameless.id) == ("assigned", None)
