"""Idempotency-Key on POST: one execution per key, the first answer replayed."""

from __future__ import annotations

import threading

from crm_contracts.errors import Conflict
from gateway_support import account

NEW_ACCOUNT = {"customer_code": "ACME", "name": "Acme Freight", "region": "east"}


def test_the_same_key_twice_calls_the_service_once_and_replays_the_answer(client, as_rep, rpc):
    rpc.answer("customer.create_account", account())
    headers = {**as_rep, "Idempotency-Key": "k-1"}

    first = client.post("/api/v1/accounts", json=NEW_ACCOUNT, headers=headers)
    second = client.post("/api/v1/accounts", json=NEW_ACCOUNT, headers=headers)

    assert len(rpc.calls_to("customer.create_account")) == 1
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.get_json() == first.get_json()
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Idempotent-Replayed"] == "true"


def test_json_spacing_and_key_order_do_not_make_a_different_request(client, as_rep, rpc):
    rpc.answer("customer.create_account", account())
    headers = {**as_rep, "Idempotency-Key": "k-1", "Content-Type": "application/json"}

    client.post("/api/v1/accounts", data='{"customer_code":"ACME","name":"Acme Freight","region":"east"}',
                headers=headers)
    client.post("/api/v1/accounts", data='{ "region": "east", "name": "Acme Freight", "customer_code": "ACME" }',
                headers=headers)

    assert len(rpc.calls_to("customer.create_account")) == 1


def test_the_same_key_with_another_body_answers_422(client, as_rep, rpc):
    rpc.answer("customer.create_account", account())
    headers = {**as_rep, "Idempotency-Key": "k-1"}
    client.post("/api/v1/accounts", json=NEW_ACCOUNT, headers=headers)

    reused = client.post("/api/v1/accounts", json={**NEW_ACCOUNT, "name": "Other"}, headers=headers)

    assert reused.status_code == 422
    assert "different request" in reused.get_json()["detail"]
    assert len(rpc.calls_to("customer.create_account")) == 1


def test_keys_are_per_caller(app, client, as_rep, as_admin, rpc):
    rpc.answer("customer.create_account", account())

    client.post("/api/v1/accounts", json=NEW_ACCOUNT, headers={**as_rep, "Idempotency-Key": "k-1"})
    client.post("/api/v1/accounts", json=NEW_ACCOUNT, headers={**as_admin, "Idempotency-Key": "k-1"})

    assert len(rpc.calls_to("customer.create_account")) == 2


def test_after_an_error_the_key_is_released_so_a_retry_runs_again(client, as_rep, rpc):
    headers = {**as_rep, "Idempotency-Key": "k-1"}
    rpc.answer("customer.create_account", raises=Conflict("duplicate", duplicates=[]))
    refused = client.post("/api/v1/accounts", json=NEW_ACCOUNT, headers=headers)
    rpc.answer("customer.create_account", account())

    retried = client.post("/api/v1/accounts", json=NEW_ACCOUNT, headers=headers)

    assert (refused.status_code, retried.status_code) == (409, 201)
    assert len(rpc.calls_to("customer.create_account")) == 2


def test_a_concurrent_duplicate_does_not_execute_while_the_first_runs(app, as_rep, rpc):
    entered, release = threading.Event(), threading.Event()

    def slow_create(payload, allow_duplicate=False):
        entered.set()
        release.wait(5)
        return account()

    rpc.answer("customer.create_account", slow_create)
    headers = {**as_rep, "Idempotency-Key": "k-1"}
    answers: dict[str, object] = {}
    first = threading.Thread(target=lambda: answers.setdefault(
        "first", app.test_client().post("/api/v1/accounts", json=NEW_ACCOUNT, headers=headers)))
    first.start()
    assert entered.wait(5)

    duplicate = app.test_client().post("/api/v1/accounts", json=NEW_ACCOUNT, headers=headers)
    release.set()
    first.join(5)
    replay = app.test_client().post("/api/v1/accounts", json=NEW_ACCOUNT, headers=headers)

    assert duplicate.status_code == 409 and "in progress" in duplicate.get_json()["detail"]
    assert answers["first"].status_code == 201 and replay.status_code == 201
    assert len(rpc.calls_to("customer.create_account")) == 1


def test_without_a_key_every_post_executes(client, as_rep, rpc):
    rpc.answer("customer.create_account", account())

    client.post("/api/v1/accounts", json=NEW_ACCOUNT, headers=as_rep)
    client.post("/api/v1/accounts", json=NEW_ACCOUNT, headers=as_rep)

    assert len(rpc.calls_to("customer.create_account")) == 2
