"""Escalation: a warning at the configured share of a target, a breach (with its record) at the target,
each published once however often the timer runs."""

from datetime import timedelta

from crm_service_desk import comments, escalation, tickets
from crm_service_desk.models import SlaBreach
from sqlalchemy import select


def test_warning_at_eighty_percent_then_breach_each_once(given, uow):
    given.policy("normal", first=10, resolution=100)
    ticket = given.ticket(account_id=given.account().account_id)
    start = ticket.created_at

    assert escalation.tick(uow, start + timedelta(minutes=7)) == 0
    escalation.tick(uow, start + timedelta(minutes=8, seconds=1))
    escalation.tick(uow, start + timedelta(minutes=9))
    [warning] = given.events("ticket.sla_warning")
    assert (warning["target"], warning["percent"]) == ("first_response", 80)

    escalation.tick(uow, start + timedelta(minutes=10, seconds=1))
    escalation.tick(uow, start + timedelta(minutes=11))
    [breach] = given.events("ticket.sla_breached")
    assert (breach["target"], ticket.first_response_breached) == ("first_response", True)
    [record] = uow.session.scalars(select(SlaBreach)).all()
    assert (record.ticket_id, record.target) == (ticket.id, "first_response")
    assert ticket.sla_next_check_at == ticket.resolution_warn_at


def test_a_late_first_response_is_recorded_as_a_breach_without_the_timer(given, uow, admin):
    given.policy("normal", first=10, resolution=100)
    ticket = given.ticket(account_id=given.account().account_id)
    ticket.first_response_due_at = ticket.created_at - timedelta(minutes=1)  # long ago

    comments.add(uow, admin, ticket.id, {"body": "Sorry for the wait.", "visibility": "public", "attachments": []})

    assert ticket.first_response_breached
    assert [b.target for b in uow.session.scalars(select(SlaBreach))] == ["first_response"]


def test_a_paused_ticket_does_not_escalate(given, uow, admin):
    given.policy("normal", first=10, resolution=100)
    ticket = given.ticket(account_id=given.account().account_id)
    tickets.update(uow, admin, ticket.id, {"status": "pending"})

    assert escalation.tick(uow, ticket.created_at + timedelta(days=3)) == 0
    assert given.events("ticket.sla_breached") == []


def test_a_ticket_without_a_policy_is_never_checked(given, uow):
    ticket = given.ticket()

    assert (ticket.sla_policy_id, ticket.sla_next_check_at) == (None, None)
    assert escalation.tick(uow, ticket.created_at + timedelta(days=30)) == 0
