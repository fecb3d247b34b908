"""The one error table, ETags and what the services receive."""

from __future__ import annotations

import pytest
from crm_contracts import errors
from crm_contracts.identity import verify
from crm_gateway.rpc import PoolExhausted
from gateway_support import ACCOUNT_ID, account
from nameko.exceptions import MethodNotFound, RemoteError, RpcTimeout, UnknownService

ACCOUNT_URL = f"/api/v1/accounts/{ACCOUNT_ID}"


@pytest.mark.parametrize("error, status", [
    (errors.NotFound("no such account"), 404),
    (errors.Forbidden("not yours"), 403),
    (errors.Conflict("clash"), 409),
    (errors.Gone("merged away"), 410),
    (errors.PreconditionFailed("stale"), 412),
    (errors.Unauthenticated("bad identity"), 401),
    (errors.ValidationFailed(errors={"name": ["Too long."]}), 422),
    (RpcTimeout(10), 504),
    (UnknownService("customer"), 503),
    (PoolExhausted("busy"), 503),
    (ConnectionRefusedError("refused"), 503),
    (TimeoutError("timed out"), 503),
    (MethodNotFound("get_account"), 500),
    (RemoteError("KeyError", "'x'"), 500),
])
def test_each_remote_error_maps_to_its_status_as_problem_json(client, as_rep, rpc, error, status):
    rpc.answer("customer.get_account", raises=error)

    response = client.get(ACCOUNT_URL, headers=as_rep)

    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["request_id"] == response.headers["X-Request-ID"]


def test_a_validation_failure_carries_the_services_field_errors(client, as_rep, rpc):
    rpc.answer("customer.update_account", raises=errors.ValidationFailed(errors={"tier": ["Not allowed."]}))

    response = client.patch(ACCOUNT_URL, json={"tier": "A"}, headers=as_rep)

    assert response.get_json()["errors"] == {"tier": ["Not allowed."]}


def test_a_likely_duplicate_answers_409_with_the_candidates(client, as_rep, rpc):
    duplicates = [{"id": "a1", "name": "Acme Freight Ltd", "score": 92}]
    rpc.answer("customer.create_account", raises=errors.Conflict("Looks like a duplicate.", duplicates=duplicates))

    response = client.post("/api/v1/accounts", json={"customer_code": "ACME", "name": "Acme", "region": "east"},
                           headers=as_rep)

    assert response.status_code == 409
    assert response.get_json()["duplicates"] == duplicates
    assert rpc.calls[0].kwargs == {"allow_duplicate": False}


def test_allow_duplicate_is_passed_to_the_service(client, as_rep, rpc):
    rpc.answer("customer.create_account", account())

    response = client.post("/api/v1/accounts?allow_duplicate=true",
                           json={"customer_code": "ACME", "name": "Acme", "region": "east"}, headers=as_rep)

    assert response.status_code == 201
    [call] = rpc.calls
    assert call.kwargs == {"allow_duplicate": True}
    assert call.args[0]["tier"] == "C"  # the schema's defaults are applied before the call


def test_a_single_resource_carries_its_version_as_etag(client, as_rep, rpc):
    rpc.answer("customer.get_account", account(version=7))

    response = client.get(ACCOUNT_URL, headers=as_rep)

    assert response.headers["ETag"] == '"7"'


def test_if_none_match_with_the_current_etag_answers_304(client, as_rep, rpc):
    rpc.answer("customer.get_account", account(version=7))

    response = client.get(ACCOUNT_URL, headers={**as_rep, "If-None-Match": '"7"'})

    assert response.status_code == 304 and response.data == b""


def test_if_match_becomes_the_expected_version_and_a_stale_one_answers_412(client, as_rep, rpc):
    rpc.answer("customer.update_account", raises=errors.PreconditionFailed("version 4 is current"))

    response = client.patch(ACCOUNT_URL, json={"name": "New"}, headers={**as_rep, "If-Match": '"3"'})

    assert response.status_code == 412
    [call] = rpc.calls
    assert call.args == (ACCOUNT_ID, {"name": "New"}) and call.kwargs == {"expected_version": 3}


def test_without_if_match_no_version_is_expected(client, as_rep, rpc):
    rpc.answer("customer.update_account", account(version=4))

    response = client.patch(ACCOUNT_URL, json={"name": "New"}, headers=as_rep)

    assert response.headers["ETag"] == '"4"'
    assert rpc.calls[0].kwargs == {"expected_version": None}


def test_an_unparseable_if_match_answers_412_without_calling(client, as_rep, rpc):
    response = client.patch(ACCOUNT_URL, json={"name": "New"}, headers={**as_rep, "If-Match": "yesterday"})

    assert response.status_code == 412 and rpc.calls == []


def test_services_receive_the_callers_signed_identity(app, client, as_rep, rpc):
    rpc.answer("customer.get_account", account())

    client.get(ACCOUNT_URL, headers=as_rep)

    identity = verify(rpc.calls[0].identity_token, app.config["IDENTITY_SECRET"])
    assert (identity.username, identity.role, identity.region, identity.team) == ("rep.east", "sales_rep", "east", "t1")


@pytest.mark.parametrize("method, path, target, answer", [
    ("get", "/api/v1/accounts/{id}/360", "customer.get_account_360",
     {"account": account(), "sales": None, "service": None, "analytics": None, "degraded": ["sales"]}),
    ("get", "/api/v1/shipments?account_id={id}", "service_desk.list_shipments", {"items": [], "next_cursor": None}),
    ("get", "/api/v1/shipments/SHA123", "service_desk.get_shipment", {"reference": "SHA123", "customer_code": "A"}),
    ("get", "/api/v1/notifications?unread=true", "notify.list_notifications", {"items": [], "next_cursor": None}),
    ("post", "/api/v1/notifications/{id}/read", "notify.mark_read",
     {"id": ACCOUNT_ID, "kind": "k", "title": "t", "body": "b", "created_at": "2025-01-01T00:00:00Z"}),
    ("get", "/api/v1/analytics/customers/{id}", "analytics.get_customer",
     {"account_id": ACCOUNT_ID, "customer_code": "A", "name": "n", "first_seen_at": "2025-01-01T00:00:00Z",
      "shipments_booked": 2}),
])
def test_each_route_makes_exactly_one_call_and_answers_what_the_service_said(client, as_rep, rpc, method, path,
                                                                             target, answer):
    rpc.answer(target, answer)

    response = getattr(client, method)(path.format(id=ACCOUNT_ID), headers=as_rep)

    assert response.status_code == 200, response.get_json()
    assert [f"{c.service}.{c.method}" for c in rpc.calls] == [target]
    assert response.get_json() == answer
