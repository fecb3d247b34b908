"""A portal user whose account was merged acts for the survivor, and is re-bound to it."""

from __future__ import annotations

import uuid

from crm_contracts.identity import verify
from crm_gateway.store.models import User
from gateway_support import bearer, given_user, runtime_of

NO_TICKETS = {"items": [], "next_cursor": None}


def acting_account(app, call) -> str | None:
    return verify(call.identity_token, app.config["IDENTITY_SECRET"]).account_id


def test_a_portal_user_of_a_merged_account_acts_for_the_survivor_and_is_rebound(app, client, rpc):
    duplicate, survivor = str(uuid.uuid4()), str(uuid.uuid4())
    user = given_user(app, "portal.merged", role="customer", account_id=duplicate)
    rpc.answer("customer.account_survivor", lambda account_id: survivor if account_id == duplicate else account_id)
    rpc.answer("service_desk.list_tickets", NO_TICKETS)

    answer = client.get("/api/v1/portal/tickets", headers=bearer(app, user))

    assert answer.status_code == 200
    [listed] = rpc.calls_to("service_desk.list_tickets")
    [checked] = rpc.calls_to("customer.account_survivor")
    assert acting_account(app, listed) == survivor
    assert checked.args == (duplicate,) and verify(checked.identity_token, app.config["IDENTITY_SECRET"]).is_admin
    with runtime_of(app).db.session() as session:
        assert session.get(User, user.id).account_id == survivor


def test_a_portal_user_keeps_the_account_while_the_customer_service_cannot_answer(app, client, rpc):
    bound = str(uuid.uuid4())
    user = given_user(app, "portal.kept", role="customer", account_id=bound)
    rpc.answer("customer.account_survivor", raises=TimeoutError("no answer"))
    rpc.answer("service_desk.list_tickets", NO_TICKETS)

    answer = client.get("/api/v1/portal/tickets", headers=bearer(app, user))

    assert answer.status_code == 200
    assert acting_account(app, rpc.calls_to("service_desk.list_tickets")[0]) == bound
    with runtime_of(app).db.session() as session:
        assert session.get(User, user.id).account_id == bound


def test_staff_are_never_checked(app, client, rpc, as_rep):
    rpc.answer("service_desk.list_tickets", NO_TICKETS)

    client.get("/api/v1/tickets", headers=as_rep)

    assert rpc.calls_to("customer.account_survivor") == []
