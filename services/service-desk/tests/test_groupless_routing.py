"""Tickets no skill group served when they arrived: routed by the timer once a group that serves them is
created, activated or widened, most urgent first, each once, however many instances run the timer."""

from datetime import timedelta

from crm_contracts.testing.units import unit_of_work
from crm_service_desk import lifecycle, routing, skill_groups
from crm_service_desk.models import TABLES, Ticket
from sqlalchemy import select

from .conftest import ADMIN, Given

TTL = timedelta(days=14)


def test_a_new_group_takes_the_open_tickets_it_serves_that_no_group_took(given, uow, admin):
    account = given.account(region="east")
    claims = [given.ticket(account_id=account.account_id, category="claim") for _ in range(2)]
    inquiry = given.ticket(account_id=account.account_id, category="inquiry")
    resolved = given.ticket(account_id=account.account_id, category="claim")
    lifecycle.resolve(uow, admin, resolved.id, {"resolution": "Paid.", "root_cause": "carrier_delay"}, TTL)
    agent = given.agent()
    named = given.ticket(account_id=account.account_id, category="claim")
    lifecycle.assign(uow, admin, named.id, agent.user_id, None)  # a person's choice, without a group
    assert {t.group_id for t in (*claims, inquiry, resolved, named)} == {None}
    assert routing.route_groupless(uow) == 0  # no group yet: nothing read

    group = given.group([agent], capacity=2, categories=["claim"], regions=["east"])  # one more than held
    routed = routing.route_groupless(uow)

    assert routed == 2 and routing.route_groupless(uow) == 0
    assert {t.group_id for t in claims} == {group.id}
    assert sorted(str(t.assignee_id) for t in claims) == sorted([str(None), agent.user_id])  # one queued
    assert (inquiry.group_id, resolved.group_id, named.group_id) == (None, None, None)
    reasons = [e["reason"] for e in given.events("ticket.assigned") if e["ticket_id"] in {t.id for t in claims}]
    assert sorted(reasons) == ["queued", "routing"]


def test_the_most_urgent_waiting_ticket_is_routed_first(given, uow):
    account = given.account()
    low = given.ticket(account_id=account.account_id, priority="low")
    urgent = given.ticket(account_id=account.account_id, priority="urgent")
    agent = given.agent()
    given.group([agent], capacity=1)

    routing.route_groupless(uow, limit=1)

    assert (urgent.assignee_id, low.group_id) == (agent.user_id, None)


def test_widening_or_activating_a_group_routes_what_it_now_serves(given, uow, admin):
    account = given.account(region="south")
    billing = given.ticket(account_id=account.account_id, category="billing")
    agent = given.agent()
    group = given.group([agent], categories=["claim"])
    dormant = given.group([agent], categories=["billing"])
    skill_groups.update(uow, admin, dormant.id, {"active": False})
    assert routing.route_groupless(uow) == 0

    skill_groups.update(uow, admin, group.id, {"categories": ["claim", "billing"], "regions": ["south"]})

    assert routing.route_groupless(uow) == 1
    assert (billing.group_id, billing.assignee_id) == (group.id, agent.user_id)


def test_two_instances_route_different_tickets(pg_sessions):
    """On PostgreSQL: a ticket one instance's timer holds is skipped by the other's, not waited for."""
    with unit_of_work(pg_sessions, TABLES) as setup:
        given = Given(setup)
        account = given.account()
        raised = [given.ticket(account_id=account.account_id).id for _ in range(4)]
        # No members: routing queues the tickets in the group without locking any agent row.
        group = skill_groups.create(setup, ADMIN, {"name": "tracking", "description": None, "categories": [],
                                                   "regions": [], "active": True, "members": []})

    with unit_of_work(pg_sessions, TABLES) as first, unit_of_work(pg_sessions, TABLES) as second:
        taken_first = routing.route_groupless(first, limit=1)
        taken_second = routing.route_groupless(second, limit=10)  # does not wait for the first's ticket

    assert (taken_first, taken_second) == (1, 3)
    with pg_sessions() as session:
        assert set(session.scalars(select(Ticket.group_id).where(Ticket.id.in_(raised)))) == {group.id}
