"""Leads: grading, assignment, duplicates, visibility, updates."""

from __future__ import annotations

import pytest
from crm_contracts.chassis.validation import load
from crm_contracts.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from crm_contracts.payloads.leads import LeadCreate, LeadUpdate
from crm_contracts.payloads.sales_settings import SalesSettings
from crm_sales import leads, settings
from crm_sales.models import RepLoad

from .conftest import identity


def new_lead(world, actor, dup=False, **fields):
    payload = {"company": "Shanghai Ocean Freight Co., Ltd.", "source": "exhibition", **fields}
    with world.tx() as uow:
        return leads.create(uow, actor, load(LeadCreate, payload), allow_duplicate=dup)


def set_rules(world, admin, **sections):
    with world.tx() as uow:
        settings.update(uow, admin, load(SalesSettings, sections))


def test_a_rep_owns_the_lead_they_enter_and_it_is_graded_from_the_default_rules(world, rep):
    lead = new_lead(world, rep, phone="021-6123 4567", email="Li@Ocean.CN", contact_name="Li Lei",
                    origin="CNSHA", destination="DEHAM")

    assert (lead.owner_id, lead.team, lead.region, lead.status) == (rep.user_id, "t1", "east", "assigned")
    assert (lead.phone, lead.email) == ("+862161234567", "li@ocean.cn")
    assert (lead.grade, lead.score) == ("A", 75)
    [created] = world.events("lead.created")
    assert (created["lead_id"], created["owner_id"], created["grade"]) == (lead.id, rep.user_id, "A")
    with world.read() as session:
        assert session.get(RepLoad, rep.user_id).open_leads == 1


def test_a_lead_matching_an_existing_one_is_refused_with_the_candidates_unless_allowed(world, rep):
    first = new_lead(world, rep, company="ACME Logistics Co., Ltd.", phone="13800138000")

    with pytest.raises(Conflict) as refused:
        new_lead(world, rep, company="acme logistics", email="new@acme.com")
    [candidate] = refused.value.extra["duplicates"]
    assert (candidate["id"], candidate["matched_on"]) == (first.id, ["name"])

    with pytest.raises(Conflict) as by_phone:
        new_lead(world, rep, company="Other Name", phone="+86 138 0013 8000")
    assert by_phone.value.extra["duplicates"][0]["matched_on"] == ["phone"]

    assert new_lead(world, rep, company="acme logistics", dup=True).id != first.id


def test_a_prospect_who_is_already_a_customer_is_reported_as_the_account(world, rep):
    account_id = world.account(name="上海远洋物流有限公司")

    with pytest.raises(Conflict) as refused:
        new_lead(world, rep, company="上海远洋物流")

    assert refused.value.extra["duplicates"][0]["kind"] == "account"
    assert refused.value.extra["duplicates"][0]["id"] == account_id


def test_assignment_rules_send_a_leads_to_seniors_round_robin_and_the_rest_by_load(world, admin, manager):
    seniors = [world.user(identity("sales_rep", team="senior")) for _ in range(2)]
    juniors = [world.user(identity("sales_rep", team="junior")) for _ in range(2)]
    set_rules(world, admin, assignment={"rules": [
        {"name": "A to seniors", "grades": ["A"], "team": "senior", "strategy": "round_robin"},
        {"name": "rest", "team": "junior", "strategy": "load_balanced"}]})

    a_leads = [new_lead(world, manager, company=f"A{i}", source="referral", phone=f"1380013800{i}",
                        email=f"a{i}@x.cn", contact_name="X") for i in range(4)]
    c_leads = [new_lead(world, manager, company=f"C{i}", source="cold_call") for i in range(4)]

    assert {lead.grade for lead in a_leads} == {"A"}
    owners = [lead.owner_id for lead in a_leads]
    assert sorted(owners) == sorted([s.user_id for s in seniors] * 2)
    assert owners[0] != owners[1] and owners[:2] == owners[2:]
    assert sorted(lead.owner_id for lead in c_leads) == sorted([j.user_id for j in juniors] * 2)
    assert len(world.events("lead.assigned")) == 8


def test_without_a_matching_rule_a_managers_lead_waits_in_the_pool(world, manager):
    lead = new_lead(world, manager)

    assert (lead.status, lead.owner_id, lead.region) == ("pool", None, "east")


def test_reps_see_their_own_their_teams_and_their_regions_pool_only(world, rep, teammate, other_rep, west_rep,
                                                                    manager):
    mine = new_lead(world, rep, company="Mine")
    teams = new_lead(world, teammate, company="Team")
    others = new_lead(world, other_rep, company="Other team")
    pooled = new_lead(world, manager, company="Pooled")
    west = new_lead(world, west_rep, company="West")

    with world.read() as session:
        visible, _ = leads.list_(session, rep, {"limit": 50})
        assert {lead.company for lead in visible} == {"Mine", "Team", "Pooled"}
        with pytest.raises(NotFound):
            leads.get(session, rep, others.id)
        with pytest.raises(NotFound):
            leads.get(session, rep, west.id)
        managed, _ = leads.list_(session, manager, {"limit": 50})
        assert {lead.id for lead in managed} == {mine.id, teams.id, others.id, pooled.id}


def test_customers_have_no_business_with_leads(world, rep):
    new_lead(world, rep)
    portal = identity("customer", region=None)

    with world.read() as session, pytest.raises(Forbidden):
        leads.list_(session, portal, {"limit": 10})


def test_updating_a_lead_regrades_it_audits_old_and_new_and_publishes(world, rep):
    lead = new_lead(world, rep, source="cold_call")
    assert lead.grade == "C"

    with world.tx() as uow:
        updated = leads.update(uow, rep, lead.id, load(LeadUpdate, {
            "source": "referral", "email": "boss@ocean.cn", "phone": "13800138000", "status": "working"}),
            expected_version=lead.version)

    assert (updated.grade, updated.status) == ("B", "working")
    [event] = world.events("lead.updated")
    assert set(event["changed"]) >= {"source", "email", "grade", "status"}
    with world.read() as session:
        [change, _created] = leads.history(session, rep, lead.id)
    assert change["changes"]["source"] == {"old": "cold_call", "new": "referral"}


def test_a_stale_version_or_someone_elses_lead_is_refused_and_changes_nothing(world, rep, other_rep, manager):
    lead = new_lead(world, rep)

    with world.tx() as uow, pytest.raises(PreconditionFailed):
        leads.update(uow, rep, lead.id, {"notes": "x"}, expected_version=lead.version + 1)
    with world.tx() as uow, pytest.raises(NotFound):
        leads.update(uow, other_rep, lead.id, {"notes": "x"})
    with world.tx() as uow:
        leads.update(uow, manager, lead.id, {"notes": "checked"})

    assert len(world.events("lead.updated")) == 1


def test_bad_lead_input_names_the_field(world, rep):
    with pytest.raises(ValidationFailed) as phone:
        load(LeadCreate, {"company": "X", "phone": "12"})
    with pytest.raises(ValidationFailed) as unknown:
        load(LeadCreate, {"company": "X", "colour": "red"})
    with pytest.raises(ValidationFailed) as region:
        new_lead(world, rep, region="west")

    assert "phone" in phone.value.errors and "colour" in unknown.value.errors and "region" in region.value.errors
