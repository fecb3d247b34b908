"""A ticket's life: comments and the first response, resolve, close, reopen — and the invalid moves."""

from datetime import timedelta

import pytest
from crm_contracts.errors import Conflict, Forbidden, ValidationFailed
from crm_contracts.identity import Identity
from crm_service_desk import comments, lifecycle, tickets
from crm_service_desk.models import Survey
from sqlalchemy import select

WEEK = timedelta(days=7)
TTL = timedelta(days=14)


def comment(body: str = "We are checking with the carrier.", visibility: str = "public") -> dict:
    return {"body": body, "visibility": visibility, "attachments": []}


def test_closing_an_open_ticket_without_resolving_it_is_a_conflict(given, uow, admin):
    ticket = given.ticket()

    with pytest.raises(Conflict):
        lifecycle.close(uow, admin, ticket.id)
    assert ticket.status == "new"


def test_a_complaint_needs_a_root_cause_to_be_resolved(given, uow, admin):
    ticket = given.ticket(category="complaint")

    with pytest.raises(ValidationFailed) as refused:
        lifecycle.resolve(uow, admin, ticket.id, {"resolution": "Apologised."}, TTL)
    assert "root_cause" in refused.value.errors

    lifecycle.resolve(uow, admin, ticket.id, {"resolution": "Refunded.", "root_cause": "carrier_delay"}, TTL)
    assert (ticket.status, ticket.root_cause) == ("resolved", "carrier_delay")


def test_resolving_stops_the_clock_issues_a_survey_and_publishes(given, uow, admin):
    ticket = given.ticket(account_id=given.account().account_id)

    lifecycle.resolve(uow, admin, ticket.id, {"resolution": "Delivered today."}, TTL)

    assert ticket.paused_at is not None and ticket.sla_next_check_at is None
    [resolved] = given.events("ticket.resolved")
    [requested] = given.events("survey.requested")
    assert (resolved["status"], resolved["resolution"]) == ("resolved", "Delivered today.")
    assert uow.session.get(Survey, requested["token"]).ticket_id == ticket.id


def test_close_after_resolve_then_reopen_within_the_window(given, uow, admin):
    ticket = given.ticket()
    lifecycle.resolve(uow, admin, ticket.id, {"resolution": "Done."}, TTL)
    lifecycle.close(uow, admin, ticket.id, "customer confirmed")

    lifecycle.reopen(uow, admin, ticket.id, "Cargo still missing", WEEK)

    assert (ticket.status, ticket.reopen_count, ticket.closed_at, ticket.paused_at) == ("open", 1, None, None)
    assert [e["reopen_count"] for e in given.events("ticket.reopened")] == [1]


def test_reopening_after_the_window_is_a_conflict(given, uow, admin):
    ticket = given.ticket()
    lifecycle.resolve(uow, admin, ticket.id, {"resolution": "Done."}, TTL)
    ticket.resolved_at -= timedelta(days=8)

    with pytest.raises(Conflict):
        lifecycle.reopen(uow, admin, ticket.id, "too late", WEEK)
    with pytest.raises(Conflict):
        lifecycle.reopen(uow, admin, given.ticket().id, "never resolved", WEEK)


def test_the_first_public_staff_comment_is_the_first_response(given, uow, admin):
    ticket = given.ticket()

    comments.add(uow, admin, ticket.id, comment("internal note", "internal"))
    assert ticket.first_responded_at is None
    comments.add(uow, admin, ticket.id, comment())

    assert ticket.status == "open" and ticket.first_responded_at is not None
    assert [e["visibility"] for e in given.events("ticket.commented")] == ["internal", "public"]
    assert given.events("ticket.commented")[0]["body"] is None  # internal text never leaves on the bus


def test_customers_never_see_internal_comments_and_cannot_write_them(given, uow, admin):
    account = given.account()
    customer = given.customer_of(account)
    ticket = given.ticket(customer)
    comments.add(uow, admin, ticket.id, comment("customer is difficult", "internal"))
    comments.add(uow, admin, ticket.id, comment("On its way."))

    seen, _ = comments.list_(uow.session, customer, ticket.id, {"limit": 50})

    assert [c.body for c in seen] == ["On its way."]
    with pytest.raises(ValidationFailed):
        comments.add(uow, customer, ticket.id, comment("sneaky", "internal"))


def test_a_customer_reply_to_a_pending_ticket_restarts_the_clock(given, uow, admin):
    account = given.account()
    customer = given.customer_of(account)
    ticket = given.ticket(customer)
    tickets.update(uow, admin, ticket.id, {"status": "pending"})

    comments.add(uow, customer, ticket.id, comment("Here is the invoice you asked for."))

    assert (ticket.status, ticket.paused_at) == ("open", None)


def test_read_only_roles_may_not_comment_and_closed_tickets_take_no_comments(given, uow, admin):
    analyst = Identity(user_id="33333333-3333-3333-3333-333333333333", role="analyst")
    ticket = given.ticket()
    with pytest.raises(Forbidden):
        comments.add(uow, analyst, ticket.id, comment())
    lifecycle.resolve(uow, admin, ticket.id, {"resolution": "Done."}, TTL)
    lifecycle.close(uow, admin, ticket.id)

    with pytest.raises(Conflict):
        comments.add(uow, admin, ticket.id, comment())


def test_every_change_is_in_the_ticket_history(given, uow, admin):
    ticket = given.ticket()
    comments.add(uow, admin, ticket.id, comment())
    lifecycle.resolve(uow, admin, ticket.id, {"resolution": "Done."}, TTL)

    actions = [entry["action"] for entry in tickets.history(uow.session, admin, ticket.id)]

    assert actions == ["resolved", "commented", "created"]
    assert uow.session.scalars(select(Survey)).one().ticket_id == ticket.id
