"""Tickets: priority from category × tier, SLA due times, routing on creation, visibility, edits."""

from datetime import timedelta

import pytest
from crm_contracts.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from crm_contracts.identity import Identity
from crm_service_desk import tickets


def test_a_vip_complaint_is_urgent_and_gets_the_urgent_policy_targets(given):
    vip = given.account(tier="VIP")
    policy = given.policy("urgent", first=30, resolution=240)

    ticket = given.ticket(account_id=vip.account_id, category="complaint")

    assert (ticket.priority, ticket.sla_policy_id) == ("urgent", policy.id)
    assert ticket.first_response_due_at == ticket.created_at + timedelta(minutes=30)
    assert ticket.resolution_warn_at == ticket.created_at + timedelta(minutes=240 * 0.8)
    [created] = given.events("ticket.created")
    assert (created["ticket_id"], created["priority"], created["status"]) == (ticket.id, "urgent", "new")


def test_a_policy_for_the_tier_wins_over_the_one_for_every_tier(given):
    account = given.account(tier="A")
    given.policy("normal", first=120)
    for_a = given.policy("normal", tier="A", first=45)

    ticket = given.ticket(account_id=account.account_id, category="tracking")

    assert (ticket.priority, ticket.sla_policy_id) == ("normal", for_a.id)


def test_a_new_ticket_is_assigned_to_an_agent_of_the_matching_group(given):
    agent = given.agent()
    group = given.group([agent], categories=["tracking"])

    ticket = given.ticket(account_id=given.account().account_id)

    assert (ticket.assignee_id, ticket.group_id) == (agent.user_id, group.id)
    [assigned] = given.events("ticket.assigned")
    assert (assigned["assignee_id"], assigned["reason"], assigned["group_name"]) == (agent.user_id, "routing",
                                                                                     group.name)


def test_a_customer_raises_a_ticket_for_their_own_account_only(given):
    mine, other = given.account(), given.account()
    customer = given.customer_of(mine)

    ticket = given.ticket(customer, channel="web")

    assert (ticket.account_id, ticket.requester_id) == (mine.account_id, customer.user_id)
    with pytest.raises(ValidationFailed) as refused:
        given.ticket(customer, account_id=other.account_id)
    assert "account_id" in refused.value.errors
    with pytest.raises(ValidationFailed):
        given.ticket(customer, priority="urgent")


def test_sales_reps_see_their_accounts_tickets_read_only(given, uow):
    rep = Identity(user_id="11111111-1111-1111-1111-111111111111", role="sales_rep", region="east")
    theirs = given.account(owner_id=rep.user_id)
    ticket = given.ticket(account_id=theirs.account_id)
    hidden = given.ticket(account_id=given.account(region="west").account_id)

    assert tickets.get(uow.session, rep, ticket.id).id == ticket.id
    with pytest.raises(NotFound):
        tickets.get(uow.session, rep, hidden.id)
    with pytest.raises(Forbidden):
        tickets.update(uow, rep, ticket.id, {"subject": "mine now"})
    with pytest.raises(Forbidden):
        given.ticket(rep, account_id=theirs.account_id)


def test_agents_see_their_groups_queue_in_their_region_and_customers_their_own(given, uow):
    east_agent, west_agent = given.agent(region="east"), given.agent(region="west")
    given.group([east_agent, west_agent], capacity=1)
    account = given.account(region="east")
    first = given.ticket(account_id=account.account_id)  # goes to one of the two agents
    second = given.ticket(account_id=account.account_id)  # the other one
    customer, stranger = given.customer_of(account), given.customer_of(given.account())

    east_sees = {t.id for t in tickets.list_(uow.session, east_agent, {"limit": 50})[0]}
    west_sees = {t.id for t in tickets.list_(uow.session, west_agent, {"limit": 50})[0]}
    assert east_sees == {first.id, second.id}
    assert west_sees == {t.id for t in (first, second) if t.assignee_id == west_agent.user_id}
    assert len(tickets.list_(uow.session, customer, {"limit": 50})[0]) == 2
    assert tickets.list_(uow.session, stranger, {"limit": 50})[0] == []


def test_waiting_on_the_customer_pauses_the_sla_and_resuming_moves_the_targets(given, uow, admin):
    given.policy("normal", first=60, resolution=600)
    ticket = given.ticket(account_id=given.account().account_id)
    due = ticket.resolution_due_at

    tickets.update(uow, admin, ticket.id, {"status": "pending"})
    assert (ticket.paused_at is not None, ticket.sla_next_check_at) == (True, None)
    ticket.paused_at -= timedelta(hours=2)  # two hours waiting on the customer
    tickets.update(uow, admin, ticket.id, {"status": "open"})

    assert ticket.paused_at is None
    assert abs((ticket.resolution_due_at - due) - timedelta(hours=2)) < timedelta(seconds=2)


def test_overriding_the_priority_reschedules_and_a_stale_version_is_refused(given, uow, admin):
    given.policy("low", first=600, resolution=6000)
    urgent = given.policy("urgent", first=15, resolution=120)
    ticket = given.ticket(account_id=given.account().account_id, category="inquiry")
    assert ticket.priority == "low"
    version = ticket.version

    tickets.update(uow, admin, ticket.id, {"priority": "urgent"}, expected_version=version)

    assert (ticket.sla_policy_id, ticket.priority_auto) == (urgent.id, False)
    with pytest.raises(PreconditionFailed):
        tickets.update(uow, admin, ticket.id, {"subject": "again"}, expected_version=version)
    [updated] = given.events("ticket.updated")
    assert updated["changed"] == ["priority"]


def test_a_status_change_on_a_resolved_ticket_is_a_conflict(given, uow, admin):
    ticket = given.ticket()
    ticket.status = "resolved"

    with pytest.raises(Conflict):
        tickets.update(uow, admin, ticket.id, {"status": "pending"})


def test_a_ticket_raised_before_its_account_arrived_is_linked_and_re_triaged(given, uow):
    account_id = "22222222-2222-2222-2222-222222222222"
    ticket = given.ticket(account_id=account_id, category="complaint")
    assert (ticket.priority, ticket.region) == ("normal", None)  # unknown tier counts as C

    account = given.account(account_id=account_id, tier="VIP", region="south")
    tickets.link_account(uow, account)

    assert (ticket.priority, ticket.region, ticket.tier) == ("urgent", "south", "VIP")
