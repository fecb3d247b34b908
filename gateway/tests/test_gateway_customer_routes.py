"""The customer service's routes beyond accounts: each maps to one RPC with validated input."""

from __future__ import annotations

import uuid

from crm_contracts.errors import NotFound
from gateway_support import ACCOUNT_ID, account

CONTACT = {"id": str(uuid.uuid4()), "account_id": ACCOUNT_ID, "name": "Li Lei", "roles": [], "phones": [],
           "emails": [], "interests": [], "opt_outs": [], "redacted": [], "is_primary": False,
           "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z", "version": 2}


def test_a_contact_is_created_with_its_phone_in_e164_and_read_with_an_etag(client, rpc, as_rep):
    rpc.answer("customer.create_contact", CONTACT)
    rpc.answer("customer.get_contact", CONTACT)

    created = client.post(f"/api/v1/accounts/{ACCOUNT_ID}/contacts", headers=as_rep,
                          json={"name": "Li Lei", "phones": [{"number": "138 0013 8000"}]})
    read = client.get(f"/api/v1/contacts/{CONTACT['id']}", headers=as_rep)

    assert created.status_code == 201 and read.headers["ETag"] == '"2"'
    [call] = rpc.calls_to("customer.create_contact")
    assert call.args == (ACCOUNT_ID, {"name": "Li Lei", "phones": [{"number": "+8613800138000", "kind": "mobile"}]})


def test_the_duplicate_check_validates_its_query_before_calling_the_service(client, rpc, as_rep):
    rpc.answer("customer.find_duplicates", {"items": []})

    bad = client.get("/api/v1/accounts/duplicates?tax_id=123", headers=as_rep)
    good = client.get("/api/v1/accounts/duplicates?name=Acme%20Ltd&phone=13800138000", headers=as_rep)

    assert bad.status_code == 422 and "tax_id" in bad.get_json()["errors"]
    assert good.status_code == 200 and good.get_json() == {"items": []}
    [call] = rpc.calls_to("customer.find_duplicates")
    assert call.args == ({"name": "Acme Ltd", "phone": "+8613800138000"},)


def test_a_merged_account_answers_404_naming_the_survivor(client, rpc, as_rep):
    survivor = str(uuid.uuid4())
    rpc.answer("customer.account_history", raises=NotFound("Account was merged.", merged_into=survivor))

    answer = client.get(f"/api/v1/accounts/{ACCOUNT_ID}/history", headers=as_rep)

    assert answer.status_code == 404 and answer.get_json()["merged_into"] == survivor


def test_merge_review_credit_and_delete_reach_their_rpcs(client, rpc, as_admin):
    duplicate = str(uuid.uuid4())
    rpc.answer("customer.merge_accounts", {"account": account(), "duplicate_id": duplicate, "dropped_relationships": [],
                                           "moved": {"contacts": 1, "relationships": 0, "invoices": 0, "payments": 0}})
    rpc.answer("customer.review_account", account(status="active"))
    rpc.answer("customer.update_credit", {"account_id": ACCOUNT_ID, "credit_limit": {"amount": "10.00",
               "currency": "CNY"}, "currency": "CNY", "payment_terms_days": 30, "credit_hold": False,
               "receivables": {"amount": "0.00", "currency": "CNY"}, "overdue": {"amount": "0.00", "currency": "CNY"},
               "other_currencies": [], "utilisation": "0.0000", "over_limit": False, "version": 4})

    merged = client.post(f"/api/v1/accounts/{ACCOUNT_ID}/merge", headers=as_admin, json={"duplicate_id": duplicate})
    reviewed = client.post(f"/api/v1/accounts/{ACCOUNT_ID}/review", headers=as_admin, json={"decision": "reject"})
    credit = client.patch(f"/api/v1/accounts/{ACCOUNT_ID}/credit", headers={**as_admin, "If-Match": '"3"'},
                          json={"credit_limit": {"amount": "10", "currency": "CNY"}})
    deleted = client.delete(f"/api/v1/accounts/{ACCOUNT_ID}", headers=as_admin)

    assert merged.status_code == 200 and merged.get_json()["moved"]["contacts"] == 1
    assert reviewed.status_code == 422 and "reason" in reviewed.get_json()["errors"]
    assert credit.status_code == 200 and credit.headers["ETag"] == '"4"'
    assert rpc.calls_to("customer.update_credit")[0].kwargs == {"expected_version": 3}
    assert deleted.status_code == 204 and rpc.calls_to("customer.delete_account")[0].args == (ACCOUNT_ID,)


def test_a_segment_definition_is_checked_at_the_gateway(client, rpc, as_rep):
    answer = client.post("/api/v1/segments", headers=as_rep,
                         json={"name": "VIP east", "definition": {"and": [{"tag": "vip"},
                                                                           {"field": "colour", "op": "eq",
                                                                            "value": "red"}]}})

    assert answer.status_code == 422 and list(answer.get_json()["errors"]) == ["definition.and.1.field"]
    assert rpc.calls_to("customer.create_segment") == []


def test_an_exchange_rate_is_checked_at_the_gateway_and_set_with_if_match(client, rpc, as_admin):
    usd = {"currency": "USD", "rate": "7.10000000", "base": "CNY", "updated_at": "2025-01-01T00:00:00Z",
           "updated_by": None, "version": 3}
    rpc.answer("customer.set_fx_rate", usd)
    rpc.answer("customer.list_fx_rates", {"items": [usd]})

    negative = client.put("/api/v1/fx-rates/USD", headers=as_admin, json={"rate": "-1"})
    as_number = client.put("/api/v1/fx-rates/USD", headers=as_admin, json={"rate": "abc"})
    updated = client.put("/api/v1/fx-rates/USD", headers={**as_admin, "If-Match": '"2"'}, json={"rate": "7.1"})
    listed = client.get("/api/v1/fx-rates", headers=as_admin)

    assert (negative.status_code, as_number.status_code) == (422, 422)
    assert updated.status_code == 200 and updated.headers["ETag"] == '"3"'
    [call] = rpc.calls_to("customer.set_fx_rate")
    assert call.args[:2] == ("USD", {"rate": "7.10000000"}) and call.kwargs == {"expected_version": 2}
    assert listed.get_json()["items"][0]["rate"] == "7.10000000"
