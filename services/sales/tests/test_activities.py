"""Activities and tasks, memos, reminders, the lead's pool clock, and caller-ID."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crm_contracts.chassis.validation import load
from crm_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from crm_contracts.payloads.activities import ActivityCreate, ActivityUpdate, LookupQuery
from crm_contracts.payloads.leads import LeadCreate
from crm_sales import activities, directory, leads, lookup, pool
from crm_sales.models import Lead

NOW = datetime.now(UTC)


def log(world, actor, **payload):
    with world.tx() as uow:
        return activities.create(uow, actor, load(ActivityCreate, payload))


def test_a_manager_dispatches_a_planned_task_and_the_rep_reports_back(world, manager, rep):
    task = log(world, manager, kind="task", subject="Visit the warehouse", assignee_id=rep.user_id,
               due_at=(NOW + timedelta(days=1)).isoformat())

    assert (task.owner_id, task.assigned_by, task.origin, task.status) == (rep.user_id, manager.user_id, "planned",
                                                                           "open")
    with world.tx() as uow:
        done = activities.update_(uow, rep, task.id, load(ActivityUpdate, {"status": "done",
                                                                           "feedback": "Two docks free"}))
    assert (done.status, done.feedback) == ("done", "Two docks free") and done.done_at is not None
    [completed] = world.events("activity.completed")
    assert (completed["origin"], completed["feedback"]) == ("planned", "Two docks free")
    with world.tx() as uow, pytest.raises(Conflict):
        activities.update_(uow, rep, task.id, {"status": "open"})


def test_reps_set_their_own_spontaneous_tasks_but_cannot_dispatch(world, rep, teammate):
    own = log(world, rep, kind="task", subject="Call back", due_at=(NOW + timedelta(hours=2)).isoformat())
    assert (own.origin, own.assigned_by) == ("spontaneous", None)

    with pytest.raises(Forbidden):
        log(world, rep, kind="task", subject="Do it", assignee_id=teammate.user_id, due_at=NOW.isoformat())


def test_personal_memos_are_private_and_company_memos_are_shared(world, rep, teammate, manager):
    private = log(world, rep, kind="memo", subject="My note")
    shared = log(world, rep, kind="memo", subject="Holiday schedule", memo_scope="company")

    with world.read() as session:
        seen_by_teammate, _ = activities.list_(session, teammate, {"limit": 10})
        with pytest.raises(NotFound):
            activities.get(session, manager, private.id)
    assert [a.id for a in seen_by_teammate] == [shared.id]


def test_reminders_fire_before_due_then_when_overdue_once_each(world, rep):
    due = NOW + timedelta(hours=1)
    log(world, rep, kind="task", subject="Send rates", due_at=due.isoformat(), remind_before_minutes=30)

    def remind(at):
        with world.tx() as uow:
            return activities.remind(uow, now=at)

    assert remind(due - timedelta(minutes=31)) == {"due": 0, "overdue": 0}
    assert remind(due - timedelta(minutes=29)) == {"due": 1, "overdue": 0}
    assert remind(due + timedelta(minutes=1)) == {"due": 0, "overdue": 1}
    assert remind(due + timedelta(minutes=2)) == {"due": 0, "overdue": 0}
    assert [e["subject"] for e in world.events("activity.due")] == ["Send rates"]


def test_a_call_on_a_lead_restarts_its_pool_clock_and_clears_the_warning(world, rep, manager):
    with world.tx() as uow:
        lead = leads.create(uow, manager, load(LeadCreate, {"company": "Clocked"}))
    with world.tx() as uow:
        pool.claim(uow, rep, lead.id, now=NOW - timedelta(days=28))
    with world.tx() as uow:
        assert pool.sweep(uow, now=NOW)["warned"] == 1

    log(world, rep, kind="call", subject="Intro call", lead_id=lead.id, direction="outbound")

    with world.read() as session:
        fresh = session.get(Lead, lead.id)
    assert (fresh.status, fresh.warned_at) == ("working", None)
    assert fresh.last_activity_at > NOW - timedelta(minutes=1)
    with world.tx() as uow:
        assert pool.sweep(uow, now=NOW + timedelta(days=2)) == {"warned": 0, "released": 0}


def test_caller_id_finds_leads_and_customers_contacts_by_any_phone_format(world, rep, west_rep):
    with world.tx() as uow:
        lead = leads.create(uow, rep, load(LeadCreate, {"company": "Caller Lead", "phone": "+86 21 6123 4567"}))
    account_id = world.account(name="Caller Customer", owner=rep)
    with world.tx() as uow:
        directory.apply_contact(uow.session, {"contact_id": "7b5a3c1e-0000-4000-8000-000000000001",
                                              "account_id": account_id, "name": "Chen Jie", "version": 1,
                                              "phones": [{"number": "(021) 61234567", "kind": "office"}],
                                              "emails": []})
    log(world, rep, kind="call", subject="Asked for rates", lead_id=lead.id)

    phone = load(LookupQuery, {"phone": "021-6123-4567"})["phone"]
    with world.read() as session:
        found = lookup.by_phone(session, rep, phone)
        hidden = lookup.by_phone(session, west_rep, phone)

    assert found["phone"] == "+862161234567"
    assert sorted((m["kind"], m["name"]) for m in found["matches"]) == [
        ("account", "Caller Customer"), ("contact", "Chen Jie"), ("lead", "Caller Lead")]
    lead_match = next(m for m in found["matches"] if m["kind"] == "lead")
    assert [a["subject"] for a in lead_match["recent_activities"]] == ["Asked for rates"]
    assert hidden["matches"] == []
    with pytest.raises(ValidationFailed):
        load(LookupQuery, {"phone": "abc"})


def test_caller_id_finds_an_account_by_its_own_number_and_a_lead_with_it_counts_as_a_customer(world, rep):
    account_id = world.account(name="Yantian Box Line", owner=rep, phone="+8675525551234")

    with world.read() as session:
        found = lookup.by_phone(session, rep, load(LookupQuery, {"phone": "0755-2555 1234"})["phone"])
    with pytest.raises(Conflict) as refused, world.tx() as uow:
        leads.create(uow, rep, load(LeadCreate, {"company": "Totally Different Name", "phone": "0755 25551234"}))

    assert [(m["kind"], m["id"], m["matched_on"]) for m in found["matches"]] == [("account", account_id, "phone")]
    [candidate] = refused.value.extra["duplicates"]
    assert (candidate["kind"], candidate["matched_on"]) == ("account", ["phone"])
