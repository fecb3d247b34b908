"""Conventions every route shares: problem+json errors, request ids, media types, size, lists."""

from __future__ import annotations

import logging

import pytest
from gateway_support import ACCOUNT_ID, account

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["type"] and body["detail"]
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def test_an_unknown_path_answers_404_problem_with_request_id(client):
    response = client.get("/api/v1/no-such-thing")

    assert_problem(response, 404)


def test_a_wrong_method_answers_405_problem_with_allow_header(client):
    response = client.delete("/api/v1/accounts")

    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_malformed_json_answers_400(client, as_rep, rpc):
    response = client.post("/api/v1/accounts", headers=as_rep, data="{not json", content_type="application/json")

    assert_problem(response, 400)
    assert rpc.calls == []


def test_a_body_that_is_not_json_answers_415(client, as_rep, rpc):
    response = client.post("/api/v1/accounts", headers=as_rep, data="name=x", content_type="text/plain")

    assert_problem(response, 415)
    assert rpc.calls == []


def test_a_body_over_the_limit_answers_413(make_app, rpc):
    from gateway_support import bearer, given_user

    app = make_app(MAX_CONTENT_LENGTH=200)
    headers = bearer(app, given_user(app, "rep", region="east"))

    response = app.test_client().post("/api/v1/accounts", headers=headers,
                                      json={"name": "x" * 500, "customer_code": "AC", "region": "east"})

    assert_problem(response, 413)
    assert rpc.calls == []


def test_unknown_and_missing_fields_answer_422_with_errors_by_field(client, as_rep, rpc):
    response = client.post("/api/v1/accounts", headers=as_rep, json={"name": "Acme", "colour": "red"})

    body = assert_problem(response, 422)
    assert body["errors"]["colour"] == ["Unknown field."]
    assert "customer_code" in body["errors"] and "region" in body["errors"]
    assert rpc.calls == []


def test_an_unexpected_failure_answers_500_problem_and_logs_the_stack(client, as_rep, rpc, caplog):
    rpc.answer("customer.get_account", raises=ZeroDivisionError("boom"))

    with caplog.at_level(logging.ERROR):
        response = client.get(f"/api/v1/accounts/{ACCOUNT_ID}", headers=as_rep)

    body = assert_problem(response, 500)
    assert "boom" not in body["detail"]
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.exc_info[0] is ZeroDivisionError


def test_an_incoming_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})

    assert response.headers["X-Request-ID"] == "abc-123"


def test_a_request_id_is_generated_when_none_or_a_bad_one_is_sent(client):
    first = client.get("/healthz")
    second = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})

    assert len(first.headers["X-Request-ID"]) == 32
    assert second.headers["X-Request-ID"] != "bad id with spaces"


def test_a_list_passes_validated_paging_and_filters_to_the_service(client, as_rep, rpc):
    rpc.answer("customer.list_accounts", {"items": [account()], "next_cursor": "c2"})

    response = client.get("/api/v1/accounts?status=active&q=acme&cursor=c1&sort=-name", headers=as_rep)

    assert response.status_code == 200
    assert response.get_json() == {"items": [account()], "next_cursor": "c2"}
    [call] = rpc.calls
    assert call.args == ({"limit": 50, "cursor": "c1", "sort": "-name", "q": "acme", "status": "active"},)


@pytest.mark.parametrize("query", ["limit=501", "limit=0", "status=bogus", "colour=red"])
def test_invalid_or_unknown_list_parameters_answer_422(client, as_rep, rpc, query):
    response = client.get(f"/api/v1/accounts?{query}", headers=as_rep)

    body = assert_problem(response, 422)
    assert query.split("=")[0] in body["errors"]
    assert rpc.calls == []


def test_healthz_needs_no_dependency(client, rpc):
    rpc.broker_error = ConnectionRefusedError("down")

    response = client.get("/healthz")

    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_lists_the_services_that_did_not_answer(client, rpc):
    from nameko.exceptions import UnknownService

    for service in ("customer", "sales", "service_desk", "notify"):
        rpc.answer(f"{service}.health", {"service": service, "status": "ok", "checks": {}})
    rpc.answer("analytics.health", raises=UnknownService("analytics"))

    response = client.get("/readyz")

    body = assert_problem(response, 503)
    assert list(body["failed"]) == ["analytics"]


def test_readyz_is_ready_when_broker_and_every_service_answer(client, rpc):
    for service in ("customer", "sales", "service_desk", "notify", "analytics"):
        rpc.answer(f"{service}.health", {"service": service, "status": "ok", "checks": {}})

    response = client.get("/readyz")

    assert response.status_code == 200
    assert set(response.get_json()["services"]) == {"customer", "sales", "service_desk", "notify", "analytics"}


def test_readyz_is_not_ready_without_a_broker(client, rpc):
    rpc.broker_error = ConnectionRefusedError("refused")

    body = assert_problem(client.get("/readyz"), 503)

    assert "broker" in body["failed"]


def test_metrics_count_requests_by_route_and_status(client):
    client.get("/healthz")

    text = client.get("/metrics").get_data(as_text=True)

    assert 'crm_gateway_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert "crm_gateway_request_seconds_bucket" in text


def test_access_logs_carry_the_request_id_and_never_the_password(client, caplog):
    with caplog.at_level(logging.INFO, logger="crm_gateway.access"):
        client.post("/api/v1/auth/login", json={"username": "nobody", "password": "s3cret-pass"},
                    headers={"X-Request-ID": "req-1"})

    from crm_gateway.observability import JsonFormatter

    lines = [JsonFormatter().format(r) for r in caplog.records]
    assert any('"request_id": "req-1"' in line and '"status": 401' in line for line in lines)
    assert not any("s3cret-pass" in line for line in lines)


def test_a_route_may_accept_bodies_larger_than_the_app_wide_limit(make_app):
    from crm_gateway.endpoint import ApiBlueprint
    from gateway_support import bearer, given_user

    blp = ApiBlueprint("upload_probe", __name__, url_prefix="/probe")

    @blp.operation("POST", "/big", json_body=True, max_body=10_000)
    def big() -> dict:
        return {"ok": True}

    app = make_app(MAX_CONTENT_LENGTH=200)
    app.register_blueprint(blp)
    headers = bearer(app, given_user(app, "rep", region="east"))
    client = app.test_client()

    accepted = client.post("/probe/big", json={"data": "x" * 5_000}, headers=headers)
    refused = client.post("/probe/big", json={"data": "x" * 20_000}, headers=headers)

    assert (accepted.status_code, refused.status_code) == (200, 413)
