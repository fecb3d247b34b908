"""Routing: the least-loaded available agent of the matching group, capacity respected, queued tickets
dispatched as agents free up, and a departing agent's tickets handed on."""

from datetime import UTC, datetime, timedelta

import pytest
from crm_contracts.errors import ValidationFailed
from crm_service_desk import agents, lifecycle, routing
from crm_service_desk.models import Agent

TTL = timedelta(days=14)


def test_the_least_loaded_agent_gets_the_next_ticket(given):
    busy, idle = given.agent(), given.agent()
    given.group([busy, idle])
    earlier = [given.ticket(), given.ticket(), given.ticket()]  # two for one, one for the other

    later = given.ticket()

    loads_before = {a: sum(t.assignee_id == a for t in earlier) for a in (busy.user_id, idle.user_id)}
    assert sorted(loads_before.values()) == [1, 2]
    assert loads_before[later.assignee_id] == 1
    assert routing.open_loads(given.uow.session, [busy.user_id, idle.user_id]) == {busy.user_id: 2,
                                                                                    idle.user_id: 2}


def test_the_most_specific_group_serves_the_ticket(given):
    generalist, claims_expert = given.agent(), given.agent()
    given.group([generalist])
    claims = given.group([claims_expert], categories=["claim"], regions=["east"])

    ticket = given.ticket(account_id=given.account(region="east").account_id, category="claim")

    assert (ticket.group_id, ticket.assignee_id) == (claims.id, claims_expert.user_id)


def test_a_full_agent_is_skipped_and_a_full_group_queues_the_ticket(given, uow, admin):
    agent = given.agent()
    group = given.group([agent], capacity=2)
    assigned = [given.ticket(), given.ticket()]

    queued = given.ticket()

    assert [t.assignee_id for t in assigned] == [agent.user_id] * 2
    assert (queued.assignee_id, queued.group_id) == (None, group.id)
    assert given.events("ticket.assigned")[-1]["reason"] == "queued"

    lifecycle.resolve(uow, admin, assigned[0].id, {"resolution": "Done."}, TTL)
    assert routing.dispatch_queued(uow) == 1
    assert queued.assignee_id == agent.user_id
    assert routing.dispatch_queued(uow) == 0


def test_a_deactivated_agent_hands_open_tickets_to_their_successor(given, uow):
    leaving, successor = given.agent(), given.agent()
    given.group([leaving], capacity=5)
    tickets = [given.ticket(), given.ticket()]

    agents.apply(uow, given.user_event(leaving.user_id, active=False, successor_id=successor.user_id),
                 deactivated=True)

    assert [t.assignee_id for t in tickets] == [successor.user_id] * 2
    assert {e["reason"] for e in given.events("ticket.assigned")[-2:]} == {"agent_deactivated"}


def test_without_a_successor_the_routing_rules_pick_a_colleague_or_queue(given, uow):
    leaving, colleague = given.agent(), given.agent()
    group = given.group([leaving, colleague], capacity=1)
    first, second = given.ticket(), given.ticket()
    mine = first if first.assignee_id == leaving.user_id else second

    agents.apply(uow, given.user_event(leaving.user_id, active=False), deactivated=True)

    assert mine.assignee_id is None and mine.group_id == group.id  # the colleague is full: queued
    assert not routing.eligible(uow.session.get(Agent, leaving.user_id))


def test_an_older_user_event_does_not_undo_a_newer_one(given, uow):
    now = datetime.now(UTC)
    agent = given.agent(at=now)
    agents.apply(uow, given.user_event(agent.user_id, active=False, at=now + timedelta(seconds=5)),
                 deactivated=True)

    agents.apply(uow, given.user_event(agent.user_id, active=True, at=now + timedelta(seconds=1)))

    assert uow.session.get(Agent, agent.user_id).active is False


def test_manual_assignment_names_an_active_agent(given, uow, admin):
    agent = given.agent()
    sales = given.agent(role="sales_rep")
    ticket = given.ticket()

    lifecycle.assign(uow, admin, ticket.id, agent.user_id, None)

    assert ticket.assignee_id == agent.user_id
    assert given.events("ticket.assigned")[-1]["reason"] == "manual"
    with pytest.raises(ValidationFailed):
        lifecycle.assign(uow, admin, ticket.id, sales.user_id, None)
