"""The customer service end to end, through the gateway and the bus on real processes: duplicate
control and merge (the duplicate answers 404 and its code resolves to the survivor, also for TMS
invoices); review and credit fed by TMS events in any order; visibility and field security by role;
the 360 view with local sections; and bad input refused with the right status."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import requests
from crm_contracts.events import InvoiceIssued, PaymentReceived, build
from crm_contracts.testing.waiting import eventually, unique
from crm_contracts.tms.publisher import TmsPublisher

from tests.api import Api

pytestmark = pytest.mark.system
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def admin(system):
    return Api.login(system.gateway_url, "admin", system.admin_password)


def make_user(system, admin: Api, role: str, region: str | None = "east", team: str | None = "t1") -> tuple[dict, Api]:
    username, password = unique(role), "Secret-" + unique("pw")
    body = {"username": username, "password": password, "role": role, "region": region, "team": team}
    created = admin.post("/users", {k: v for k, v in body.items() if v is not None})
    assert created.status_code == 201, created.text
    return created.json(), Api.login(system.gateway_url, username, password)


def ok(response: requests.Response, status: int = 200) -> dict:
    assert response.status_code == status, f"{response.status_code} {response.text}"
    return response.json() if response.content else {}


def new_account(api: Api, name: str, **fields) -> dict:
    code = unique("CU").upper()
    return ok(api.post("/accounts", {"customer_code": code, "name": name, "region": "east", **fields},
                       params={"allow_duplicate": "true"}), 201)


def publish(system, *events: tuple[type, dict]) -> None:
    with TmsPublisher(system.amqp_uri) as tms:
        for cls, body in events:
            tms.publish_raw(cls.routing_key, build(cls, **body))


def invoice(code: str, number: str, amount: str, at: datetime = T0, currency: str = "CNY") -> tuple[type, dict]:
    due = datetime.now(UTC).date() - timedelta(days=1)  # already overdue
    return InvoiceIssued, dict(occurred_at=at, customer_code=code, invoice_number=number,
                               amount={"amount": amount, "currency": currency}, issued_on=due - timedelta(days=30),
                               due_on=due)


def test_a_duplicate_is_caught_checked_and_merged_and_its_code_then_resolves_to_the_survivor(system, admin):
    name = unique("Harbour Freight")
    survivor = new_account(admin, f"{name} Co., Ltd.", phone="+86 21 6000 0001")
    refused = admin.post("/accounts", {"customer_code": unique("CU").upper(), "name": name.upper(), "region": "east"})
    checked = ok(admin.get("/accounts/duplicates", params={"phone": "021-60000001"}))
    duplicate = new_account(admin, f"{name} GmbH")
    person = ok(admin.post(f"/accounts/{duplicate['id']}/contacts", {"name": "Wang Wu",
                                                                      "phones": [{"number": "13900139000"}]}), 201)

    merged = ok(admin.post(f"/accounts/{survivor['id']}/merge", {"duplicate_id": duplicate["id"]}))
    publish(system, invoice(duplicate["customer_code"], unique("INV"), "120.00"))

    assert refused.status_code == 409 and refused.json()["duplicates"][0]["id"] == survivor["id"]
    assert [c["id"] for c in checked["items"]] == [survivor["id"]]
    assert merged["moved"]["contacts"] == 1
    gone = admin.get(f"/accounts/{duplicate['id']}")
    assert gone.status_code == 404 and gone.json()["merged_into"] == survivor["id"]
    by_code = ok(admin.get("/accounts", params={"customer_code": duplicate["customer_code"]}))
    assert [a["id"] for a in by_code["items"]] == [survivor["id"]]
    assert person["id"] in [c["id"] for c in ok(admin.get(f"/accounts/{survivor['id']}/contacts"))["items"]]
    assert "merged" in [e["action"] for e in ok(admin.get(f"/accounts/{survivor['id']}/history"))["items"]]
    credit = eventually(lambda: _receivables(admin, survivor["id"], "120.00"))
    assert credit["currency"] == "CNY"


def _receivables(api: Api, account_id: str, amount: str) -> dict:
    credit = ok(api.get(f"/accounts/{account_id}/credit"))
    assert credit["receivables"]["amount"] == amount
    return credit


def test_review_then_credit_fed_by_tms_events_in_any_order_and_twice(system, admin):
    finance_user, finance = make_user(system, admin, "finance", region=None, team=None)
    account = new_account(admin, unique("Credit Test Logistics"))
    code = account["customer_code"]

    approved = ok(finance.post(f"/accounts/{account['id']}/review", {"decision": "approve"}))
    limit = finance.get(f"/accounts/{account['id']}/credit")
    ok(finance.patch(f"/accounts/{account['id']}/credit", {"credit_limit": {"amount": "1000.00", "currency": "CNY"},
                                                          "payment_terms_days": 45},
                     headers={"If-Match": limit.headers["ETag"]}))
    paid = (PaymentReceived, dict(occurred_at=T0 + timedelta(days=5), customer_code=code, invoice_number="A-1",
                                  amount={"amount": "300.00", "currency": "CNY"}, received_on=date(2026, 11, 6)))
    publish(system, paid, invoice(code, "A-1", "900.00"), invoice(code, "A-2", "500.00"),
            invoice(code, "A-1", "900.00"))  # payment first, an invoice twice (new event ids: same number)

    credit = eventually(lambda: _receivables(finance, account["id"], "1100.00"))
    assert approved["status"] == "active" and approved["reviewed_by"] == finance_user["id"]
    assert (credit["over_limit"], credit["utilisation"], credit["payment_terms_days"]) == (True, "1.1000", 45)
    assert credit["overdue"]["amount"] == "1100.00"


def test_receivables_in_another_currency_count_against_the_limit_once_finance_sets_a_rate(system, admin):
    _, finance = make_user(system, admin, "finance", region=None, team=None)
    _, rep = make_user(system, admin, "sales_rep")
    account = new_account(admin, unique("FX Test Logistics"))
    terms = finance.get(f"/accounts/{account['id']}/credit")
    ok(finance.patch(f"/accounts/{account['id']}/credit", {"credit_limit": {"amount": "1000.00", "currency": "CNY"}},
                     headers={"If-Match": terms.headers["ETag"]}))
    publish(system, invoice(account["customer_code"], unique("SGD"), "200.00", currency="SGD"))

    def unconverted() -> dict:
        credit = ok(finance.get(f"/accounts/{account['id']}/credit"))
        assert credit["unconverted"] == ["SGD"], credit
        return credit
    before = eventually(unconverted)
    refused = rep.put("/fx-rates/SGD", {"rate": "5.25"})
    rate = ok(finance.put("/fx-rates/SGD", {"rate": "5.25"}))
    after = ok(finance.get(f"/accounts/{account['id']}/credit"))

    assert (before["receivables"]["amount"], before["over_limit"]) == ("0.00", False)
    assert refused.status_code == 403 and (rate["rate"], rate["base"]) == ("5.25000000", "CNY")
    assert after["receivables"] == {"amount": "1050.00", "currency": "CNY"} and after["overdue"]["amount"] == "1050.00"
    assert (after["utilisation"], after["over_limit"], after["unconverted"]) == ("1.0500", True, [])
    assert "SGD" in [r["currency"] for r in ok(rep.get("/fx-rates"))["items"]]


def test_visibility_and_field_security_are_enforced_by_the_service(system, admin):
    rep_user, rep = make_user(system, admin, "sales_rep", "east", "t1")
    _, south_rep = make_user(system, admin, "sales_rep", "south", "t9")
    _, agent = make_user(system, admin, "service_agent")
    _, marketing = make_user(system, admin, "marketing")
    account = ok(rep.post("/accounts", {"customer_code": unique("CU").upper(), "name": unique("Rep Own Freight"),
                                        "region": "east"}, params={"allow_duplicate": "true"}), 201)
    contact = ok(rep.post(f"/accounts/{account['id']}/contacts", {"name": "Zhao Liu", "birthday": "1988-08-08",
                                                                   "emails": ["zhao@example.com"]}), 201)

    assert account["owner_id"] == rep_user["id"]
    assert south_rep.get(f"/accounts/{account['id']}/contacts").status_code == 404
    assert south_rep.get(f"/contacts/{contact['id']}").status_code == 404
    assert agent.get(f"/accounts/{account['id']}/credit").status_code == 403
    assert agent.patch(f"/accounts/{account['id']}", {"tier": "A"}).status_code == 403
    hidden = ok(marketing.get(f"/contacts/{contact['id']}"))
    assert (hidden["emails"], hidden["birthday"], hidden["redacted"]) == ([], None, ["emails", "birthday"])
    view = ok(agent.get(f"/accounts/{account['id']}/360"))
    assert view["restricted"] == ["credit"] and view["credit"] is None
    assert [c["id"] for c in view["contacts"]] == [contact["id"]]


def test_the_360_view_brings_contacts_relationships_and_credit_with_the_remote_sections(system, admin):
    account = new_account(admin, unique("Three Sixty Shipping"))
    broker = new_account(admin, unique("Quick Customs Brokers"))
    ok(admin.post(f"/accounts/{account['id']}/relationships", {"related_account_id": broker["id"],
                                                               "type": "customs_broker"}), 201)

    view = eventually(lambda: _with_remote_sections(admin, account["id"]))

    assert view["relationships"][0]["other"]["id"] == broker["id"]
    assert view["credit"]["receivables"]["amount"] == "0.00" and view["restricted"] == []


def _with_remote_sections(api: Api, account_id: str) -> dict:
    view = ok(api.get(f"/accounts/{account_id}/360"))
    # Each remote section arrives once its service has the account from account.created.
    assert view["degraded"] == []
    assert view["analytics"]["customer_code"] and view["sales"] is not None and view["service"] is not None
    return view


def test_bad_input_is_refused_with_the_right_status_and_changes_nothing(system, admin):
    parent, child = new_account(admin, unique("Group Holding")), new_account(admin, unique("Group Branch"))
    ok(admin.post(f"/accounts/{parent['id']}/relationships", {"related_account_id": child["id"], "type": "branch"}),
       201)
    duplicate = new_account(admin, unique("Merged Away"))
    ok(admin.post(f"/accounts/{parent['id']}/merge", {"duplicate_id": duplicate["id"]}))
    base = {"customer_code": unique("CU").upper(), "name": unique("Bad Input Co"), "region": "east"}

    invalid = admin.post("/accounts", {**base, "tax_id": "123", "phone": "0", "email": "x@"})
    oversized = admin.post("/accounts", {**base, "custom_attributes": {"blob": "x" * 9000}})
    cycle = admin.post(f"/accounts/{child['id']}/relationships", {"related_account_id": parent["id"],
                                                                  "type": "branch"})
    into_itself = admin.post(f"/accounts/{parent['id']}/merge", {"duplicate_id": parent["id"]})
    into_merged = admin.post(f"/accounts/{duplicate['id']}/merge", {"duplicate_id": child["id"]})
    edit_merged = admin.patch(f"/accounts/{duplicate['id']}", {"tier": "A"})
    stale = admin.patch(f"/accounts/{child['id']}", {"tier": "A"}, headers={"If-Match": '"999"'})

    assert invalid.status_code == 422 and set(invalid.json()["errors"]) == {"tax_id", "phone", "email"}
    assert oversized.status_code == 422 and "custom_attributes" in oversized.json()["errors"]
    assert (cycle.status_code, into_itself.status_code, into_merged.status_code) == (409, 409, 409)
    assert (edit_merged.status_code, stale.status_code) == (404, 412)
    assert ok(admin.get("/accounts", params={"customer_code": base["customer_code"]}))["items"] == []
    assert ok(admin.get(f"/accounts/{child['id']}"))["tier"] == "C"
